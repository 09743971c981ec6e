package dev.homecluster.render.backup;

import dev.homecluster.api.v1alpha1.BackupSpec;
import dev.homecluster.render.Component;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The backup namespace and the NFS server on the backup node: a Deployment exporting {@code
 * spec.backup.exportPath} to the cluster's nodes only (see {@link NfsExports}), its Service on a
 * fixed cluster IP (see {@link NfsExport}), and a PersistentVolume with the claim bound to it that
 * the backup jobs mount.
 *
 * <p>The PersistentVolume is {@code Retain}: deleting the claim or the HomeCluster never deletes
 * backup data.
 */
public final class NfsServer implements Component {
  static final String EXPORT_DIR = "/nfsshare";
  static final int NFS_PORT = 2049;
  /**
   * NFS ignores a volume's capacity; the claim must request no more than the volume offers, and
   * both say this nominal size.
   */
  static final String NOMINAL_CAPACITY = "1Ti";
  /** ConfigMap with the server's /etc/exports and the export owner script. */
  static final String CONFIG_MAP = Names.NFS_SERVER + "-config";
  static final String EXPORTS_KEY = "exports";
  static final String OWNER_SCRIPT = "nfs-export-owner.sh";
  static final String CONFIG_DIR = "/etc/homecluster-nfs";

  @Override
  public String name() {
    return Names.NFS_SERVER;
  }

  @Override
  public boolean enabled(RenderContext ctx) {
    return ctx.spec().getBackup() != null;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    NfsExport export = NfsExport.of(ctx.spec());
    return List.of(
        namespace(),
        configMap(ctx),
        deployment(ctx),
        service(ctx, export),
        persistentVolume(export),
        persistentVolumeClaim());
  }

  /**
   * The backup namespace enforces the {@code privileged} Pod Security level: the ZFS snapshot job
   * must enter the host's mount namespace to run its zfs command, and the kernel NFS server must
   * mount the nfsd filesystem; neither is allowed under {@code baseline}. Those two pods are the
   * only privileged ones; the rsync job runs with a small set of capabilities.
   */
  static Namespace namespace() {
    Map<String, String> labels = new TreeMap<>();
    labels.put("pod-security.kubernetes.io/enforce", "privileged");
    labels.put("pod-security.kubernetes.io/enforce-version", "latest");
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(Names.BACKUP_NAMESPACE)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  /** The exports file and the owner script, both rendered from the repository's text. */
  static ConfigMap configMap(RenderContext ctx) {
    Map<String, String> data = new TreeMap<>();
    data.put(EXPORTS_KEY, NfsExports.file(ctx.spec(), EXPORT_DIR));
    data.put(OWNER_SCRIPT, ScriptConfigMap.text(OWNER_SCRIPT));
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(CONFIG_MAP)
        .withNamespace(Names.BACKUP_NAMESPACE)
        .endMetadata()
        .withData(data)
        .build();
  }

  private static Deployment deployment(RenderContext ctx) {
    BackupSpec backup = ctx.spec().getBackup();
    ConfigMap config = configMap(ctx);
    Map<String, String> selector = Labels.selector(Names.NFS_SERVER);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(Names.NFS_SERVER)
        .withNamespace(Names.BACKUP_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        // Never two servers exporting the same directory, not even during a rollout.
        .withNewStrategy()
        .withType("Recreate")
        .endStrategy()
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.pod(ctx.clusterName(), Names.NFS_SERVER))
        // The exports file is mounted by subPath, which never updates: a new one needs a new pod.
        .withAnnotations(Map.of(Names.INPUT_HASH_ANNOTATION, hash(config.getData().toString())))
        .endMetadata()
        .withNewSpec()
        .withNodeSelector(Placement.node(backup.getNode()))
        .withTolerations(BackupPlacement.tolerationsForBackupNode(ctx))
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .withInitContainers(exportOwner(backup))
        .withContainers(container(backup))
        .addNewVolume()
        .withName("config")
        .withNewConfigMap()
        .withName(CONFIG_MAP)
        .withDefaultMode(0444)
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("export")
        // Directory, not DirectoryOrCreate: when the pool is not mounted, the server waits
        // instead of exporting (and filling) an empty directory on the root disk.
        .withNewHostPath()
        .withPath(backup.getExportPath())
        .withType("Directory")
        .endHostPath()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * Gives the export to the uid every client is squashed to, before it is served (see {@link
   * NfsExports}). Root with CHOWN, DAC_READ_SEARCH and FOWNER only, in the NFS image (its busybox
   * has find, stat and chown); a no-op once the export's root belongs to that uid.
   */
  private static Container exportOwner(BackupSpec backup) {
    return new ContainerBuilder()
        .withName("export-owner")
        .withImage(backup.getNfsImage())
        .withCommand(
            "/bin/sh", CONFIG_DIR + "/" + OWNER_SCRIPT, EXPORT_DIR, String.valueOf(NfsExports.BACKUP_UID))
        .withNewSecurityContext()
        .withRunAsUser(0L)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .withAdd("CHOWN", "DAC_READ_SEARCH", "FOWNER")
        .endCapabilities()
        .endSecurityContext()
        .withNewResources()
        .withRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("16Mi")))
        .withLimits(Map.of("memory", new Quantity("64Mi")))
        .endResources()
        .addNewVolumeMount()
        .withName("export")
        .withMountPath(EXPORT_DIR)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("config")
        .withMountPath(CONFIG_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .build();
  }

  /**
   * The kernel's NFS server, driven by the image's entrypoint. Privileged: the entrypoint mounts
   * the nfsd and rpc_pipefs filesystems and starts nfsd, which needs CAP_SYS_ADMIN outside the
   * container runtime's default AppArmor/seccomp confinement and unmasked /proc. No host network,
   * no host PID, one hostPath (the export).
   *
   * <p>The entrypoint ({@code nfsd.sh} of itsthenetwork/nfs-server-alpine) writes its own
   * /etc/exports with a single client from {@code PERMITTED} (default {@code *}) and {@code
   * no_root_squash} fixed in its template; the client goes through {@code sed s/.../.../}, so a
   * CIDR's slash breaks it. So the operator's file is mounted read-only at /etc/exports instead:
   * the entrypoint's rm, echo and sed on it fail (it does not stop on errors before it starts the
   * server), and its {@code exportfs -rv} then exports exactly this file, or exits when it does
   * not parse. {@code SHARED_DIRECTORY} is still required by the entrypoint.
   */
  private static Container container(BackupSpec backup) {
    return new ContainerBuilder()
        .withName(Names.NFS_SERVER)
        .withImage(backup.getNfsImage())
        .withEnv(
            new EnvVar("SHARED_DIRECTORY", EXPORT_DIR, null),
            // Fails closed: should the entrypoint ever write its own line, only loopback may mount.
            new EnvVar("PERMITTED", "127.0.0.1", null))
        .addNewPort()
        .withName("nfs")
        .withContainerPort(NFS_PORT)
        .withProtocol("TCP")
        .endPort()
        .withNewSecurityContext()
        .withPrivileged(true)
        .endSecurityContext()
        .withNewReadinessProbe()
        .withNewTcpSocket()
        .withNewPort(NFS_PORT)
        .endTcpSocket()
        .withPeriodSeconds(10)
        .endReadinessProbe()
        .withNewResources()
        .withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("64Mi")))
        .withLimits(Map.of("memory", new Quantity("256Mi")))
        .endResources()
        .addNewVolumeMount()
        .withName("export")
        .withMountPath(EXPORT_DIR)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("config")
        .withMountPath("/etc/exports")
        .withSubPath(EXPORTS_KEY)
        .withReadOnly(true)
        .endVolumeMount()
        .build();
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  private static Service service(RenderContext ctx, NfsExport export) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(Names.NFS_SERVER)
        .withNamespace(Names.BACKUP_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withClusterIP(export.server())
        .withSelector(Labels.selector(Names.NFS_SERVER))
        .addNewPort()
        .withName("nfs")
        .withPort(NFS_PORT)
        .withNewTargetPort("nfs")
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }

  private static PersistentVolume persistentVolume(NfsExport export) {
    return new PersistentVolumeBuilder()
        .withNewMetadata()
        .withName(Names.BACKUP_NFS_PV)
        .endMetadata()
        .withNewSpec()
        .withCapacity(Map.of("storage", new Quantity(NOMINAL_CAPACITY)))
        .withAccessModes("ReadWriteMany")
        .withPersistentVolumeReclaimPolicy("Retain")
        .withStorageClassName("")
        // 4.2: extended attributes (rsync -X) travel only over NFS 4.2.
        .withMountOptions("nfsvers=4.2", "hard")
        .withNfs(export.volumeSource())
        // Reserved for our claim, so no other claim can bind the backup export.
        .withNewClaimRef()
        .withNamespace(Names.BACKUP_NAMESPACE)
        .withName(Names.BACKUP_NFS_PVC)
        .endClaimRef()
        .endSpec()
        .build();
  }

  private static PersistentVolumeClaim persistentVolumeClaim() {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(Names.BACKUP_NFS_PVC)
        .withNamespace(Names.BACKUP_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteMany")
        .withStorageClassName("")
        .withVolumeName(Names.BACKUP_NFS_PV)
        .withNewResources()
        .withRequests(Map.of("storage", new Quantity(NOMINAL_CAPACITY)))
        .endResources()
        .endSpec()
        .build();
  }
}
