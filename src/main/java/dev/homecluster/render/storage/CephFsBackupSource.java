package dev.homecluster.render.storage;

import static dev.homecluster.render.storage.CephClusterResource.map;

import dev.homecluster.api.v1alpha1.CephFilesystemSpec;
import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the nightly rsync reads: the whole Ceph filesystem, read-only.
 *
 * <p>A claim provisioned by the StorageClass would be a new, empty subvolume, and the backup would
 * copy nothing. So this is a static PersistentVolume of the filesystem's root ({@code rootPath: /},
 * every CSI subvolume included), bound by name to a ReadOnlyMany claim in the backup namespace, and
 * mounted with a Ceph user (a Rook CephClient) that can only read. ceph-csi mounts static volumes
 * with a Secret holding {@code userID} and {@code userKey}; the operator writes it at run time from
 * the key Rook generates for the CephClient.
 */
public final class CephFsBackupSource {
  public static final String CLIENT_KIND = "CephClient";

  /** Nominal: CephFS does not enforce a size on a static volume of the root. */
  static final Quantity NOMINAL_SIZE = new Quantity("1Gi");

  private CephFsBackupSource() {}

  public static List<HasMetadata> build(CephSpec ceph) {
    return List.of(readerClient(ceph), volume(ceph), claim(ceph));
  }

  /**
   * A Ceph user that may read the filesystem and nothing else ({@code ceph fs authorize ... r}).
   */
  static GenericKubernetesResource readerClient(CephSpec ceph) {
    String fs = ceph.getFilesystem().getName();
    Map<String, Object> caps = new TreeMap<>();
    caps.put("mon", "allow r fsname=" + fs);
    caps.put("mds", "allow r fsname=" + fs);
    caps.put("osd", "allow r tag cephfs data=" + fs);
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(CephClusterResource.API_VERSION)
        .withKind(CLIENT_KIND)
        .withNewMetadata()
        .withName(Names.CEPHFS_BACKUP_READER)
        .withNamespace(ceph.getNamespace())
        .endMetadata()
        .withAdditionalProperties(new TreeMap<>(Map.of("spec", map("caps", caps))))
        .build();
  }

  static PersistentVolume volume(CephSpec ceph) {
    CephFilesystemSpec fs = ceph.getFilesystem();
    Map<String, String> attributes = new TreeMap<>();
    attributes.put("clusterID", ceph.getNamespace());
    attributes.put("fsName", fs.getName());
    attributes.put("staticVolume", "true");
    attributes.put("rootPath", "/");
    return new PersistentVolumeBuilder()
        .withNewMetadata()
        .withName(Names.CEPHFS_BACKUP_SOURCE_PV)
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadOnlyMany")
        .withCapacity(Map.of("storage", NOMINAL_SIZE))
        .withStorageClassName(fs.getStorageClassName())
        .withVolumeMode("Filesystem")
        .withPersistentVolumeReclaimPolicy("Retain")
        .withNewClaimRef()
        .withNamespace(Names.BACKUP_NAMESPACE)
        .withName(Names.CEPHFS_BACKUP_SOURCE_PVC)
        .endClaimRef()
        .withNewCsi()
        .withDriver(CephFsStorageClass.driver(ceph))
        .withVolumeHandle(Names.CEPHFS_BACKUP_SOURCE_PV)
        .withReadOnly(true)
        .withVolumeAttributes(attributes)
        .withNewNodeStageSecretRef()
        .withName(Names.CEPHFS_BACKUP_READER_SECRET)
        .withNamespace(ceph.getNamespace())
        .endNodeStageSecretRef()
        .endCsi()
        .endSpec()
        .build();
  }

  /**
   * The claim names its volume, so the CSI provisioner leaves it alone even though it carries the
   * filesystem's StorageClass.
   */
  static PersistentVolumeClaim claim(CephSpec ceph) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(Names.CEPHFS_BACKUP_SOURCE_PVC)
        .withNamespace(Names.BACKUP_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadOnlyMany")
        .withStorageClassName(ceph.getFilesystem().getStorageClassName())
        .withVolumeName(Names.CEPHFS_BACKUP_SOURCE_PV)
        .withVolumeMode("Filesystem")
        .withNewResources()
        .withRequests(Map.of("storage", NOMINAL_SIZE))
        .endResources()
        .endSpec()
        .build();
  }
}
