package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.nodes.all(n, n.address != self.controlPlane.endpoint.vip)",
    message = "controlPlane.endpoint.vip must not equal a node address",
    fieldPath = ".controlPlane.endpoint.vip")
@ValidationRule(
    value =
        "!has(self.network) || !isIP(self.controlPlane.endpoint.vip)"
            + " || ((!has(self.network.serviceCIDR) || !isCIDR(self.network.serviceCIDR)"
            + " || !cidr(self.network.serviceCIDR).containsIP(self.controlPlane.endpoint.vip))"
            + " && (!has(self.network.podCIDR) || !isCIDR(self.network.podCIDR)"
            + " || !cidr(self.network.podCIDR).containsIP(self.controlPlane.endpoint.vip)))",
    message =
        "controlPlane.endpoint.vip must be a free address on the home network, not inside"
            + " network.serviceCIDR (the apiserver's Service IP is its first address) or"
            + " network.podCIDR",
    fieldPath = ".controlPlane.endpoint.vip")
@ValidationRule(
    value = "self.nodes.exists(n, 'master' in n.roles)",
    message = "at least one node must have the master role",
    fieldPath = ".nodes")
@ValidationRule(
    value =
        "!has(self.backup) || self.nodes.exists(n, n.name == self.backup.node && 'backup' in n.roles)",
    message = "backup.node must name a node with the backup role",
    fieldPath = ".backup.node")
public class HomeClusterSpec {
  public static final String DEFAULT_KUBERNETES_VERSION = "1.34.2";
  public static final String DEFAULT_IMAGE_REPOSITORY = "registry.k8s.io";

  @JsonPropertyDescription(
      "Kubernetes version of the control plane, as MAJOR.MINOR.PATCH without a leading v."
          + " Control-plane images are tagged v<kubernetesVersion>.")
  @Pattern("^[0-9]+\\.[0-9]+\\.[0-9]+$")
  @Default(DEFAULT_KUBERNETES_VERSION)
  private String kubernetesVersion = DEFAULT_KUBERNETES_VERSION;

  @JsonPropertyDescription(
      "Registry that control-plane images (etcd, kube-apiserver, kube-controller-manager,"
          + " kube-scheduler, kube-proxy, coredns) are pulled from; point it at a mirror if needed.")
  @Default(DEFAULT_IMAGE_REPOSITORY)
  @Size(max = 253)
  @Pattern(ImageReferences.REPOSITORY)
  private String imageRepository = DEFAULT_IMAGE_REPOSITORY;

  @JsonPropertyDescription(
      "The machines of the cluster. A node's name is its Kubernetes Node name"
          + " (kubernetes.io/hostname). A node may hold several roles.")
  @Required
  @Size(min = 1, max = 128)
  @ValidationRule(
      value = "self.all(a, self.exists_one(b, b.name == a.name))",
      message = "node names must be unique")
  @ValidationRule(
      value = "self.all(a, self.exists_one(b, b.address == a.address))",
      message = "node addresses must be unique")
  private List<NodeSpec> nodes = new ArrayList<>();

  @JsonPropertyDescription("The self-hosted control plane and the virtual IP in front of it.")
  @Required
  private ControlPlaneSpec controlPlane;

  @JsonPropertyDescription("Cluster networking: pod and service ranges and the DNS domain.")
  private NetworkSpec network = new NetworkSpec();

  @JsonPropertyDescription("Storage: Ceph on the workers' disks, deployed by Rook.")
  private StorageSpec storage = new StorageSpec();

  @JsonPropertyDescription(
      "Backups to the backup node: NFS export, nightly rsync of CephFS, ZFS snapshots and etcd"
          + " snapshots. Omit to run without backups.")
  private BackupSpec backup;

  @JsonPropertyDescription(
      "What deleting this HomeCluster removes. Orphan (the default): nothing, everything keeps"
          + " running. Delete: the data-bearing objects (CephCluster, CephFilesystem, the backup"
          + " volumes) and the storage and backup workloads. Under no policy the control plane, the"
          + " VIP or the cluster's keys.")
  @Default("Orphan")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Orphan;

  public String getKubernetesVersion() {
    return kubernetesVersion;
  }

  public void setKubernetesVersion(String kubernetesVersion) {
    this.kubernetesVersion = kubernetesVersion;
  }

  public String getImageRepository() {
    return imageRepository;
  }

  public void setImageRepository(String imageRepository) {
    this.imageRepository = imageRepository;
  }

  public List<NodeSpec> getNodes() {
    return nodes;
  }

  public void setNodes(List<NodeSpec> nodes) {
    this.nodes = nodes;
  }

  public ControlPlaneSpec getControlPlane() {
    return controlPlane;
  }

  public void setControlPlane(ControlPlaneSpec controlPlane) {
    this.controlPlane = controlPlane;
  }

  public NetworkSpec getNetwork() {
    return network;
  }

  public void setNetwork(NetworkSpec network) {
    this.network = network;
  }

  public StorageSpec getStorage() {
    return storage;
  }

  public void setStorage(StorageSpec storage) {
    this.storage = storage;
  }

  public BackupSpec getBackup() {
    return backup;
  }

  public void setBackup(BackupSpec backup) {
    this.backup = backup;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }
}
