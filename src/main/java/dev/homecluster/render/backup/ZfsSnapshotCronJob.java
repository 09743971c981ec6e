package dev.homecluster.render.backup;

import dev.homecluster.api.v1alpha1.ZfsSpec;
import dev.homecluster.render.Component;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * ZFS snapshots of the backup dataset on the backup node, with retention: {@code
 * zfs-snapshot.sh} snapshots {@code <dataset>@homecluster-<UTC time>} and destroys only this
 * operator's oldest snapshots beyond {@code keepSnapshots}.
 *
 * <p>The only pod of the cluster that reaches into its node: zfs talks to the kernel module
 * through {@code /dev/zfs} with a user-space library that must match the host's module version,
 * so the job runs the host's own zfs inside the host's mount namespace ({@code nsenter --target
 * 1 --mount}). That takes the host's PID namespace and a privileged container; the pod has no
 * other volume, no network of the host and no service-account token.
 */
public final class ZfsSnapshotCronJob implements Component {
  static final String SCRIPT = "zfs-snapshot.sh";
  /** Runs the host's zfs: word-split by the script into the command and its prefix. */
  static final String HOST_ZFS = "nsenter --target 1 --mount -- zfs";
  static final long STARTING_DEADLINE_SECONDS = 3600;
  static final long ACTIVE_DEADLINE_SECONDS = 900;

  @Override
  public String name() {
    return Names.ZFS_SNAPSHOT;
  }

  @Override
  public boolean enabled(RenderContext ctx) {
    return ctx.spec().getBackup() != null && ctx.spec().getBackup().getZfs() != null;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    ZfsSpec zfs = ctx.spec().getBackup().getZfs();
    ScriptConfigMap script =
        new ScriptConfigMap(Names.ZFS_SNAPSHOT + "-script", Names.BACKUP_NAMESPACE, SCRIPT);
    BackupCronJob frame =
        new BackupCronJob(
            Names.ZFS_SNAPSHOT,
            Names.BACKUP_NAMESPACE,
            zfs.getSnapshotSchedule(),
            STARTING_DEADLINE_SECONDS,
            ACTIVE_DEADLINE_SECONDS,
            0);
    PodSpec pod = pod(ctx, zfs, script);
    return List.of(script.configMap(), frame.build(ctx.clusterName(), pod));
  }

  private static PodSpec pod(RenderContext ctx, ZfsSpec zfs, ScriptConfigMap script) {
    return new PodSpecBuilder()
        .withNodeSelector(Placement.node(ctx.spec().getBackup().getNode()))
        .withTolerations(BackupPlacement.tolerationsForBackupNode(ctx))
        .withHostPID(true)
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .addToContainers(
            new ContainerBuilder()
                .withName("zfs")
                .withImage(zfs.getImage())
                .withCommand("/bin/sh", script.path())
                .withEnv(
                    new EnvVar("ZFS", HOST_ZFS, null),
                    new EnvVar("ZFS_DATASET", zfs.getDataset(), null),
                    new EnvVar("KEEP_SNAPSHOTS", String.valueOf(zfs.getKeepSnapshots()), null),
                    new EnvVar("TERMINATION_LOG", BackupCronJob.TERMINATION_MESSAGE_PATH, null))
                .withTerminationMessagePath(BackupCronJob.TERMINATION_MESSAGE_PATH)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewSecurityContext()
                .withPrivileged(true)
                .endSecurityContext()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("32Mi")))
                .withLimits(Map.of("memory", new Quantity("128Mi")))
                .endResources()
                .addToVolumeMounts(script.mount())
                .build())
        .addToVolumes(script.volume())
        .build();
  }
}
