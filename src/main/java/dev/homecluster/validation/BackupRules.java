package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.BackupSpec;
import dev.homecluster.api.v1alpha1.EtcdSnapshotSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.api.v1alpha1.RsyncSpec;
import dev.homecluster.api.v1alpha1.ZfsSpec;
import dev.homecluster.render.Names;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The backup node, paths, schedules and retention. */
final class BackupRules implements Rule {
  private static final Pattern DATASET =
      Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:-]*(/[A-Za-z0-9_.:-]+)*$");
  private static final Pattern TARGET = Pattern.compile("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$");
  /** Directories the operator keeps directly under the export, and what they hold. */
  private static final Map<String, String> MANAGED_DIRECTORIES =
      Map.of(
          Names.ETCD_SNAPSHOTS_DIR, "the etcd snapshots",
          Names.BACKUP_RESULTS_DIR, "the backup jobs' results");

  /** The schema's bounds, so that the CLI refuses what the API server refuses. */
  private static final int MAX_FLAGS = 32;

  private static final int MAX_KEEP = 10000;

  private static final int MAX_NAME_LENGTH = 255;

  /** The schema's maxLength of every schedule. */
  private static final int MAX_SCHEDULE_LENGTH = 100;

  private static final Pattern FLAG = Pattern.compile("^-[A-Za-z0-9-]+(=[^\\s;&|`$<>]*)?$");

  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    BackupSpec backup = spec.getBackup();
    if (backup == null) {
      return;
    }
    checkNode(spec, backup.getNode(), problems);
    // exportPath is checked with the other host directories, in HostPathRules.
    checkRsync(backup.getRsync(), problems);
    checkZfs(backup.getZfs(), problems);
    checkEtcd(backup.getEtcdSnapshots(), problems);
  }

  private static void checkNode(HomeClusterSpec spec, String name, Problems problems) {
    String path = "spec.backup.node";
    if (name == null || name.isEmpty()) {
      problems.error(path, "is required: the name of the node with the backup role");
      return;
    }
    List<NodeSpec> nodes = spec.getNodes() == null ? List.of() : spec.getNodes();
    Optional<NodeSpec> node = nodes.stream().filter(n -> n != null && name.equals(n.getName())).findFirst();
    if (node.isEmpty()) {
      problems.error(path, "\"" + Text.shorten(name) + "\" is not a node in spec.nodes");
    } else if (!node.get().has(Role.BACKUP)) {
      problems.error(path, "node " + name + " does not have the backup role");
    }
  }

  private static void checkRsync(RsyncSpec rsync, Problems problems) {
    if (rsync == null) {
      return;
    }
    String path = "spec.backup.rsync";
    checkSchedule(path + ".schedule", rsync.getSchedule(), problems);
    if (rsync.getTarget() == null
        || rsync.getTarget().length() > MAX_NAME_LENGTH
        || !TARGET.matcher(rsync.getTarget()).matches()
        || rsync.getTarget().contains("..")) {
      problems.error(
          path + ".target",
          "must be a relative directory without '..' (for example cephfs), got \""
              + (rsync.getTarget() == null ? "" : Text.shorten(rsync.getTarget()))
              + "\"");
    } else {
      checkTargetIsOwnDirectory(path + ".target", rsync.getTarget(), problems);
    }
    List<String> flags = rsync.getFlags() == null ? List.of() : rsync.getFlags();
    if (flags.size() > MAX_FLAGS) {
      problems.error(path + ".flags", "at most " + MAX_FLAGS + " flags are supported, got " + flags.size());
      flags = List.of();
    }
    for (int i = 0; i < flags.size(); i++) {
      String flag = flags.get(i);
      if (flag == null || !FLAG.matcher(flag).matches()) {
        problems.error(
            path + ".flags[" + i + "]",
            "must be an rsync option such as -aHAX or --delete-after, got \""
                + (flag == null ? "" : Text.shorten(flag))
                + "\"");
      }
    }
    Integer timeout = rsync.getTimeoutSeconds();
    if (timeout == null || timeout < 60) {
      problems.error(path + ".timeoutSeconds", "must be at least 60, got " + timeout);
    } else if (timeout > 86400) {
      problems.error(path + ".timeoutSeconds", "must be at most 86400 (a day), got " + timeout);
    }
  }

  /**
   * The rsync target is mirrored with the flags' {@code --delete-after}: anything else in it is
   * deleted every night. So it may not be the export itself (which holds the etcd snapshots and
   * the jobs' results) nor one of the directories the operator keeps there.
   */
  private static void checkTargetIsOwnDirectory(String path, String target, Problems problems) {
    List<String> segments =
        Arrays.stream(target.split("/")).filter(s -> !s.isEmpty() && !s.equals(".")).toList();
    if (segments.isEmpty()) {
      problems.error(
          path,
          "must be a directory under the export, not the export itself (\""
              + Text.shorten(target)
              + "\"): the nightly rsync would delete the etcd snapshots and backup results kept"
              + " there");
    } else if (MANAGED_DIRECTORIES.containsKey(segments.get(0))) {
      problems.error(
          path,
          "must not be or be inside the export's "
              + segments.get(0)
              + " directory, which holds "
              + MANAGED_DIRECTORIES.get(segments.get(0))
              + ", got \""
              + Text.shorten(target)
              + "\"");
    }
  }

  private static void checkZfs(ZfsSpec zfs, Problems problems) {
    if (zfs == null) {
      return;
    }
    String path = "spec.backup.zfs";
    if (zfs.getDataset() == null
        || zfs.getDataset().length() > MAX_NAME_LENGTH
        || !DATASET.matcher(zfs.getDataset()).matches()) {
      problems.error(
          path + ".dataset",
          "must be a ZFS dataset name such as tank or tank/backups, got \""
              + (zfs.getDataset() == null ? "" : Text.shorten(zfs.getDataset()))
              + "\"");
    }
    checkSchedule(path + ".snapshotSchedule", zfs.getSnapshotSchedule(), problems);
    if (zfs.getKeepSnapshots() == null || zfs.getKeepSnapshots() < 1) {
      problems.error(path + ".keepSnapshots", "must be at least 1, got " + zfs.getKeepSnapshots());
    } else if (zfs.getKeepSnapshots() > MAX_KEEP) {
      problems.error(
          path + ".keepSnapshots", "must be at most " + MAX_KEEP + ", got " + zfs.getKeepSnapshots());
    }
  }

  private static void checkEtcd(EtcdSnapshotSpec etcd, Problems problems) {
    if (etcd == null || !Boolean.TRUE.equals(etcd.getEnabled())) {
      return;
    }
    String path = "spec.backup.etcdSnapshots";
    checkSchedule(path + ".schedule", etcd.getSchedule(), problems);
    if (etcd.getKeep() == null || etcd.getKeep() < 1) {
      problems.error(path + ".keep", "must be at least 1, got " + etcd.getKeep());
    } else if (etcd.getKeep() > MAX_KEEP) {
      problems.error(path + ".keep", "must be at most " + MAX_KEEP + ", got " + etcd.getKeep());
    }
  }

  private static void checkSchedule(String path, String schedule, Problems problems) {
    var cron = CronSchedules.parse(schedule);
    if (cron.isPresent() && schedule.length() > MAX_SCHEDULE_LENGTH) {
      problems.error(path, "must be at most " + MAX_SCHEDULE_LENGTH + " characters");
    } else if (cron.isPresent() && !CronSchedules.everFires(cron.get())) {
      problems.error(
          path,
          "never fires: no month in it has that day of the month (such as February 30th), got \""
              + Text.shorten(schedule)
              + "\"");
    } else if (cron.isEmpty()) {
      problems.error(
          path,
          "must be a cron schedule of five fields (minute hour day-of-month month day-of-week)"
              + " or a macro such as @daily, got \""
              + (schedule == null ? "" : Text.shorten(schedule))
              + "\"");
    }
  }
}
