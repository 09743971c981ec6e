package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.BackupSpec;
import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host directories the operator writes to: etcd's data directory on the masters, Ceph's
 * {@code dataDirHostPath} and the backup node's NFS export. Each is normalized, may not be a system
 * directory, and none may be or contain another, since a node may hold several roles and etcd's
 * data, Ceph's monitor store and the backups would then overwrite or export each other.
 */
final class HostPathRules implements Rule {
  static final String ETCD_DATA_DIR = "spec.controlPlane.etcd.dataDir";
  static final String CEPH_DATA_DIR = "spec.storage.ceph.dataDirHostPath";
  static final String EXPORT_PATH = "spec.backup.exportPath";

  /** The schema's maxLength of the three fields. */
  private static final int MAX_LENGTH = 255;

  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    // Field path -> normalized directory, in the order the fields appear in the spec.
    Map<String, String> directories = new LinkedHashMap<>();
    if (spec.getControlPlane() != null && spec.getControlPlane().getEtcd() != null) {
      dataDirectory(ETCD_DATA_DIR, spec.getControlPlane().getEtcd().getDataDir(), problems)
          .ifPresent(d -> directories.put(ETCD_DATA_DIR, d));
    }
    CephSpec ceph = spec.getStorage() == null ? null : spec.getStorage().getCeph();
    if (ceph != null && ceph.getDataDirHostPath() != null) {
      // Checked like the schema checks it, also while Ceph is off; it only takes a directory
      // (and so can only overlap another) while Ceph is on.
      Optional<String> cephDir = dataDirectory(CEPH_DATA_DIR, ceph.getDataDirHostPath(), problems);
      if (Boolean.TRUE.equals(ceph.getEnabled())) {
        cephDir.ifPresent(d -> directories.put(CEPH_DATA_DIR, d));
      }
    } else if (ceph != null && Boolean.TRUE.equals(ceph.getEnabled())) {
      problems.error(CEPH_DATA_DIR, "must be an absolute path without '..'");
    }
    BackupSpec backup = spec.getBackup();
    if (backup != null) {
      exportDirectory(backup.getExportPath(), problems)
          .ifPresent(d -> directories.put(EXPORT_PATH, d));
    }
    List<String> paths = List.copyOf(directories.keySet());
    for (int i = 0; i < paths.size(); i++) {
      for (int j = 0; j < i; j++) {
        String here = directories.get(paths.get(i));
        String there = directories.get(paths.get(j));
        String other = paths.get(j) + " (" + Text.shorten(there) + ")";
        if (here.equals(there)) {
          problems.error(paths.get(i), "must differ from " + other + ": each needs a directory of its own");
        } else if (HostPaths.within(here, there)) {
          problems.error(paths.get(i), "must not be inside " + other + ": each needs a directory of its own");
        } else if (HostPaths.within(there, here)) {
          problems.error(paths.get(i), "must not contain " + other + ": each needs a directory of its own");
        }
      }
    }
  }

  /** etcd's and Ceph's directory: absolute, no '..', no system directory. */
  private static Optional<String> dataDirectory(String path, String value, Problems problems) {
    Optional<String> normalized = HostPaths.normalize(value);
    if (normalized.isEmpty()) {
      problems.error(path, "must be an absolute path without '..'");
      return Optional.empty();
    }
    return refuseSystem(path, normalized.get(), problems);
  }

  private static Optional<String> exportDirectory(String export, Problems problems) {
    if (export == null || export.isEmpty()) {
      problems.error(EXPORT_PATH, "is required (the ZFS pool's mountpoint, e.g. /tank)");
      return Optional.empty();
    }
    if (!export.startsWith("/")) {
      problems.error(EXPORT_PATH, "must be an absolute path, got \"" + Text.shorten(export) + "\"");
      return Optional.empty();
    }
    if (export.contains("..")) {
      problems.error(EXPORT_PATH, "must not contain '..', got \"" + Text.shorten(export) + "\"");
      return Optional.empty();
    }
    Optional<String> normalized = HostPaths.normalize(export);
    if (normalized.isEmpty()) {
      problems.error(EXPORT_PATH, "must be an absolute path, got \"" + Text.shorten(export) + "\"");
      return Optional.empty();
    }
    return refuseSystem(EXPORT_PATH, normalized.get(), problems);
  }

  private static Optional<String> refuseSystem(String path, String normalized, Problems problems) {
    if (normalized.length() > MAX_LENGTH) {
      problems.error(path, "must be at most " + MAX_LENGTH + " characters");
      return Optional.empty();
    }
    Optional<String> refused = HostPaths.systemDirectory(normalized);
    if (refused.isPresent()) {
      problems.error(path, refused.get());
      return Optional.empty();
    }
    return Optional.of(normalized);
  }
}
