package dev.homecluster.render.backup;

import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.RsyncSpec;
import dev.homecluster.render.Component;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The nightly copy of the Ceph filesystem to the NFS export: {@code backup-rsync.sh} runs {@code
 * rsync <flags> /source/ /backup/<target>/} and leaves its result in {@code
 * .homecluster/rsync-last.json} on the export and in the pod's termination message.
 *
 * <p>Enabled with backups and Ceph: without Ceph there is nothing to copy.
 */
public final class RsyncCronJob implements Component {
  static final String SCRIPT = "backup-rsync.sh";
  static final String SOURCE_DIR = "/source";
  static final String BACKUP_DIR = "/backup";
  /** A run missed by more than this (controller down at 03:00) waits for the next night. */
  static final long STARTING_DEADLINE_SECONDS = 3600;

  @Override
  public String name() {
    return Names.BACKUP_RSYNC;
  }

  @Override
  public boolean enabled(RenderContext ctx) {
    CephSpec ceph = ctx.spec().getStorage() == null ? null : ctx.spec().getStorage().getCeph();
    return ctx.spec().getBackup() != null
        && ctx.spec().getBackup().getRsync() != null
        && ceph != null
        && Boolean.TRUE.equals(ceph.getEnabled());
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    RsyncSpec rsync = ctx.spec().getBackup().getRsync();
    ScriptConfigMap script =
        new ScriptConfigMap(Names.BACKUP_RSYNC + "-script", Names.BACKUP_NAMESPACE, SCRIPT);
    BackupCronJob frame =
        new BackupCronJob(
            Names.BACKUP_RSYNC,
            Names.BACKUP_NAMESPACE,
            rsync.getSchedule(),
            STARTING_DEADLINE_SECONDS,
            rsync.getTimeoutSeconds(),
            // A failed copy is retried by the next night's run, not at once: a run may take hours.
            0);
    return List.of(script.configMap(), frame.build(ctx.clusterName(), pod(rsync, script)));
  }

  private static PodSpec pod(RsyncSpec rsync, ScriptConfigMap script) {
    List<String> command = new ArrayList<>(List.of("/bin/sh", script.path()));
    command.addAll(rsync.getFlags() == null ? RsyncSpec.DEFAULT_FLAGS : rsync.getFlags());
    return new PodSpecBuilder()
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .addToContainers(
            new ContainerBuilder()
                .withName("rsync")
                .withImage(rsync.getImage())
                .withCommand(command)
                .withEnv(
                    new EnvVar("SOURCE_DIR", SOURCE_DIR, null),
                    new EnvVar("BACKUP_DIR", BACKUP_DIR, null),
                    new EnvVar("TARGET", rsync.getTarget(), null),
                    // The script refuses a target that is or lies in these, whatever validated.
                    new EnvVar("MANAGED_DIRS", Names.ETCD_SNAPSHOTS_DIR + " " + Names.BACKUP_RESULTS_DIR, null),
                    new EnvVar("TERMINATION_LOG", BackupCronJob.TERMINATION_MESSAGE_PATH, null))
                .withTerminationMessagePath(BackupCronJob.TERMINATION_MESSAGE_PATH)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                // Root, to keep every file's owner, group, ACLs and xattrs; only the capabilities
                // that copying as another owner needs.
                .withNewSecurityContext()
                .withRunAsUser(0L)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .withAdd("CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID")
                .endCapabilities()
                .endSecurityContext()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
                .withLimits(Map.of("memory", new Quantity("1Gi")))
                .endResources()
                .addNewVolumeMount()
                .withName("source")
                .withMountPath(SOURCE_DIR)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("backup")
                .withMountPath(BACKUP_DIR)
                .endVolumeMount()
                .addToVolumeMounts(script.mount())
                .build())
        .addNewVolume()
        .withName("source")
        .withNewPersistentVolumeClaim()
        .withClaimName(Names.CEPHFS_BACKUP_SOURCE_PVC)
        .withReadOnly(true)
        .endPersistentVolumeClaim()
        .endVolume()
        .addNewVolume()
        .withName("backup")
        .withNewPersistentVolumeClaim()
        .withClaimName(Names.BACKUP_NFS_PVC)
        .endPersistentVolumeClaim()
        .endVolume()
        .addToVolumes(script.volume())
        .build();
  }
}
