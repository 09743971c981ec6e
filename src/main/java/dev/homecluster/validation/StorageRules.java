package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;

/** Ceph settings that can be judged from the spec alone. */
final class StorageRules implements Rule {
  /** The only value that lets Rook wipe disks on deletion. */
  public static final String DESTROY_CONFIRMATION = "yes-really-destroy-data";

  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    CephSpec ceph = spec.getStorage() == null ? null : spec.getStorage().getCeph();
    if (ceph == null || !Boolean.TRUE.equals(ceph.getEnabled())) {
      return;
    }
    String path = "spec.storage.ceph";
    String confirmation = ceph.getCleanupConfirmation();
    if (confirmation != null && !confirmation.isEmpty() && !DESTROY_CONFIRMATION.equals(confirmation)) {
      problems.error(
          path + ".cleanupConfirmation",
          "must be empty or exactly \"" + DESTROY_CONFIRMATION + "\"");
    }
    Integer mons = ceph.getMonCount();
    if (mons == null || mons < 1 || mons > 9) {
      problems.error(path + ".monCount", "must be between 1 and 9, got " + mons);
    }
    if (!ControlPlaneRules.isAbsoluteClean(ceph.getDataDirHostPath())) {
      problems.error(path + ".dataDirHostPath", "must be an absolute path without '..'");
    }
    if (ceph.getFilesystem() != null) {
      Integer replicas = ceph.getFilesystem().getReplicas();
      if (replicas == null || replicas < 1) {
        problems.error(path + ".filesystem.replicas", "must be at least 1, got " + replicas);
      }
    }
    boolean anyDevices =
        spec.getNodes() != null
            && spec.getNodes().stream()
                .anyMatch(n -> n != null && n.has(Role.WORKER) && !n.devices().isEmpty());
    if (!anyDevices) {
      problems.warning(
          path,
          "Ceph is enabled but no worker lists storageDevices, so there will be no OSDs");
    }
  }

  static long osdNodes(HomeClusterSpec spec) {
    return spec.getNodes().stream()
        .filter(n -> n != null && n.has(Role.WORKER) && !n.devices().isEmpty())
        .map(NodeSpec::getName)
        .distinct()
        .count();
  }
}
