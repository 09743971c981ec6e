package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** A Rook CephCluster with OSDs on the workers' storage devices, and a CephFilesystem. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CephSpec {
  public static final String DEFAULT_NAMESPACE = "rook-ceph";
  public static final String DEFAULT_IMAGE = "quay.io/ceph/ceph:v19.2.3";
  public static final String DEFAULT_DATA_DIR_HOST_PATH = "/var/lib/rook";

  @JsonPropertyDescription("Deploy Ceph. Rook must be installed for this to take effect.")
  @Default("true")
  private Boolean enabled = Boolean.TRUE;

  @JsonPropertyDescription("Namespace of the CephCluster, where the Rook operator watches.")
  @Default(DEFAULT_NAMESPACE)
  @Size(min = 1, max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  private String namespace = DEFAULT_NAMESPACE;

  @JsonPropertyDescription("Ceph container image.")
  @Default(DEFAULT_IMAGE)
  @Size(max = ImageReferences.MAX_LENGTH)
  @Pattern(ImageReferences.REFERENCE)
  private String image = DEFAULT_IMAGE;

  @JsonPropertyDescription(
      "Number of Ceph monitors. Odd numbers tolerate failures best; 3 is usual.")
  @Default("3")
  @Min(1)
  @Max(9)
  private Integer monCount = 3;

  @JsonPropertyDescription(
      "Allow several monitors on one node (needed when there are fewer nodes than monitors).")
  @Default("false")
  private Boolean allowMultipleMonsPerNode = Boolean.FALSE;

  @JsonPropertyDescription("Enable the Ceph dashboard.")
  @Default("true")
  private Boolean dashboard = Boolean.TRUE;

  @JsonPropertyDescription(
      "Host path where Ceph keeps its configuration and monitor data. Not a system directory,"
          + " and apart from controlPlane.etcd.dataDir and backup.exportPath.")
  @Default(DEFAULT_DATA_DIR_HOST_PATH)
  @Size(min = 1, max = 255)
  @Pattern("^/.*")
  @ValidationRule(value = "!self.contains('..')", message = "must not contain '..'")
  @ValidationRule(value = HostPathSchema.NOT_SYSTEM_RULE, message = HostPathSchema.NOT_SYSTEM_MESSAGE)
  private String dataDirHostPath = DEFAULT_DATA_DIR_HOST_PATH;

  @JsonPropertyDescription(
      "Resources of every OSD, unless a node overrides them. OSDs need a memory limit of at"
          + " least 2Gi to stay stable; the default requests 1Gi and limits 2Gi.")
  private ResourceRequirements osdResources;

  @JsonPropertyDescription("Resources of every monitor (Rook suggests 1Gi of memory).")
  private ResourceRequirements monResources;

  @JsonPropertyDescription("Resources of every manager (Rook suggests 512Mi of memory).")
  private ResourceRequirements mgrResources;

  @JsonPropertyDescription("The CephFilesystem and its StorageClass.")
  private CephFilesystemSpec filesystem = new CephFilesystemSpec();

  @JsonPropertyDescription(
      "Set to exactly 'yes-really-destroy-data' to let Rook wipe the disks when the CephCluster is"
          + " deleted. Anything else keeps the data.")
  @Size(max = 64)
  private String cleanupConfirmation;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public Integer getMonCount() {
    return monCount;
  }

  public void setMonCount(Integer monCount) {
    this.monCount = monCount;
  }

  public Boolean getAllowMultipleMonsPerNode() {
    return allowMultipleMonsPerNode;
  }

  public void setAllowMultipleMonsPerNode(Boolean allowMultipleMonsPerNode) {
    this.allowMultipleMonsPerNode = allowMultipleMonsPerNode;
  }

  public Boolean getDashboard() {
    return dashboard;
  }

  public void setDashboard(Boolean dashboard) {
    this.dashboard = dashboard;
  }

  public String getDataDirHostPath() {
    return dataDirHostPath;
  }

  public void setDataDirHostPath(String dataDirHostPath) {
    this.dataDirHostPath = dataDirHostPath;
  }

  public ResourceRequirements getOsdResources() {
    return osdResources;
  }

  public void setOsdResources(ResourceRequirements osdResources) {
    this.osdResources = osdResources;
  }

  public ResourceRequirements getMonResources() {
    return monResources;
  }

  public void setMonResources(ResourceRequirements monResources) {
    this.monResources = monResources;
  }

  public ResourceRequirements getMgrResources() {
    return mgrResources;
  }

  public void setMgrResources(ResourceRequirements mgrResources) {
    this.mgrResources = mgrResources;
  }

  public CephFilesystemSpec getFilesystem() {
    return filesystem;
  }

  public void setFilesystem(CephFilesystemSpec filesystem) {
    this.filesystem = filesystem;
  }

  public String getCleanupConfirmation() {
    return cleanupConfirmation;
  }

  public void setCleanupConfirmation(String cleanupConfirmation) {
    this.cleanupConfirmation = cleanupConfirmation;
  }
}
