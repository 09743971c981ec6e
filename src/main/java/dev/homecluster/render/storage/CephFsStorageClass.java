package dev.homecluster.render.storage;

import dev.homecluster.api.v1alpha1.CephFilesystemSpec;
import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.util.Map;
import java.util.TreeMap;

/**
 * The StorageClass of the Ceph filesystem, for Rook's CephFS CSI driver. Volumes are retained when
 * their claim is deleted: a home cluster's data is never deleted by default.
 */
public final class CephFsStorageClass {
  private CephFsStorageClass() {}

  /**
   * Rook registers its CephFS driver as {@code <operator namespace>.cephfs.csi.ceph.com}. The
   * operator and the CephCluster share one namespace here, as Rook's Helm charts install them.
   */
  public static String driver(CephSpec ceph) {
    return ceph.getNamespace() + ".cephfs.csi.ceph.com";
  }

  public static StorageClass build(CephSpec ceph) {
    CephFilesystemSpec fs = ceph.getFilesystem();
    String ns = ceph.getNamespace();
    Map<String, String> parameters = new TreeMap<>();
    parameters.put("clusterID", ns);
    parameters.put("fsName", fs.getName());
    parameters.put("pool", CephFilesystemResource.cephDataPoolName(fs));
    parameters.put(
        "csi.storage.k8s.io/provisioner-secret-name", Names.ROOK_CEPHFS_PROVISIONER_SECRET);
    parameters.put("csi.storage.k8s.io/provisioner-secret-namespace", ns);
    parameters.put(
        "csi.storage.k8s.io/controller-expand-secret-name", Names.ROOK_CEPHFS_PROVISIONER_SECRET);
    parameters.put("csi.storage.k8s.io/controller-expand-secret-namespace", ns);
    parameters.put("csi.storage.k8s.io/node-stage-secret-name", Names.ROOK_CEPHFS_NODE_SECRET);
    parameters.put("csi.storage.k8s.io/node-stage-secret-namespace", ns);
    return new StorageClassBuilder()
        .withNewMetadata()
        .withName(fs.getStorageClassName())
        .endMetadata()
        .withProvisioner(driver(ceph))
        .withParameters(parameters)
        .withReclaimPolicy("Retain")
        .withAllowVolumeExpansion(true)
        .withVolumeBindingMode("Immediate")
        .build();
  }
}
