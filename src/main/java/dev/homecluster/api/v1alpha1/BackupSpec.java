package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Backups to the backup node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupSpec {
  public static final String DEFAULT_NFS_IMAGE = "docker.io/itsthenetwork/nfs-server-alpine:12";

  @JsonPropertyDescription("Name of the node (with the backup role) that holds the backup pool.")
  @Required
  @Size(min = 1, max = 63)
  private String node;

  @JsonPropertyDescription(
      "Absolute path on the backup node that is exported over NFS (the ZFS pool's mountpoint,"
          + " for example /tank).")
  @Required
  @Size(min = 1, max = 255)
  @Pattern("^/.*")
  @ValidationRule(value = "!self.contains('..')", message = "must not contain '..'")
  @ValidationRule(value = HostPathSchema.NOT_SYSTEM_RULE, message = HostPathSchema.NOT_SYSTEM_MESSAGE)
  private String exportPath;

  @JsonPropertyDescription("NFS server container image.")
  @Default(DEFAULT_NFS_IMAGE)
  @Size(max = ImageReferences.MAX_LENGTH)
  @Pattern(ImageReferences.REFERENCE)
  private String nfsImage = DEFAULT_NFS_IMAGE;

  @JsonPropertyDescription("Nightly rsync from the Ceph filesystem to the NFS export.")
  private RsyncSpec rsync = new RsyncSpec();

  @JsonPropertyDescription("ZFS snapshots of the backup dataset, with retention.")
  private ZfsSpec zfs;

  @JsonPropertyDescription("etcd snapshots written to the NFS export, with retention.")
  private EtcdSnapshotSpec etcdSnapshots = new EtcdSnapshotSpec();

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public String getExportPath() {
    return exportPath;
  }

  public void setExportPath(String exportPath) {
    this.exportPath = exportPath;
  }

  public String getNfsImage() {
    return nfsImage;
  }

  public void setNfsImage(String nfsImage) {
    this.nfsImage = nfsImage;
  }

  public RsyncSpec getRsync() {
    return rsync;
  }

  public void setRsync(RsyncSpec rsync) {
    this.rsync = rsync;
  }

  public ZfsSpec getZfs() {
    return zfs;
  }

  public void setZfs(ZfsSpec zfs) {
    this.zfs = zfs;
  }

  public EtcdSnapshotSpec getEtcdSnapshots() {
    return etcdSnapshots;
  }

  public void setEtcdSnapshots(EtcdSnapshotSpec etcdSnapshots) {
    this.etcdSnapshots = etcdSnapshots;
  }
}
