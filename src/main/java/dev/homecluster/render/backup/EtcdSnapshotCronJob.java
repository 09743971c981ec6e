package dev.homecluster.render.backup;

import dev.homecluster.api.v1alpha1.EtcdSnapshotSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Component;
import dev.homecluster.render.Images;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * etcd snapshots on a master, written to the NFS export: {@code etcd-snapshot.sh} saves with the
 * etcd client certificate, verifies with {@code etcdutl snapshot status}, and keeps the newest
 * {@code keep} files named {@code etcd-<UTC time>.db} under {@code etcd/}.
 *
 * <p>It lives in the control-plane namespace, next to the {@link Names#ETCD_CLIENT_SECRET} it
 * mounts (a pod can only mount Secrets of its own namespace, and this key should not be copied
 * around). For the same reason it cannot use the backup namespace's claim: it mounts the export
 * directly at the NFS Service's fixed address (see {@link NfsExport}).
 *
 * <p>It reaches etcd at its own node's address ({@code status.hostIP}), which every member's
 * serving certificate names, so it needs no host network. The etcd image carries etcdctl and
 * etcdutl but no shell; an init container copies a static busybox in for the script.
 */
public final class EtcdSnapshotCronJob implements Component {
  static final String SCRIPT = "etcd-snapshot.sh";
  static final String BUSYBOX_IMAGE = "docker.io/library/busybox:1.37.0-musl";
  static final String TOOLS_DIR = "/homecluster-tools";
  static final String CLIENT_CERT_DIR = "/etc/homecluster/etcd-client";
  static final String BACKUP_DIR = "/backup";
  static final int ETCD_CLIENT_PORT = 2379;
  static final long STARTING_DEADLINE_SECONDS = 600;
  static final long ACTIVE_DEADLINE_SECONDS = 900;

  @Override
  public String name() {
    return Names.ETCD_SNAPSHOT;
  }

  @Override
  public boolean enabled(RenderContext ctx) {
    return ctx.spec().getBackup() != null
        && ctx.spec().getBackup().getEtcdSnapshots() != null
        && Boolean.TRUE.equals(ctx.spec().getBackup().getEtcdSnapshots().getEnabled());
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    EtcdSnapshotSpec etcd = ctx.spec().getBackup().getEtcdSnapshots();
    ScriptConfigMap script =
        new ScriptConfigMap(Names.ETCD_SNAPSHOT + "-script", Names.CONTROL_PLANE_NAMESPACE, SCRIPT);
    BackupCronJob frame =
        new BackupCronJob(
            Names.ETCD_SNAPSHOT,
            Names.CONTROL_PLANE_NAMESPACE,
            etcd.getSchedule(),
            STARTING_DEADLINE_SECONDS,
            ACTIVE_DEADLINE_SECONDS,
            // A snapshot is cheap: try again on another master at once if one fails.
            2);
    return List.of(script.configMap(), frame.build(ctx.clusterName(), pod(ctx, etcd, script)));
  }

  private static PodSpec pod(RenderContext ctx, EtcdSnapshotSpec etcd, ScriptConfigMap script) {
    String etcdImage =
        Images.fromRepository(ctx.spec(), "etcd", ctx.spec().getControlPlane().getEtcd().getVersion());
    return new PodSpecBuilder()
        .withNodeSelector(Placement.nodesWith(Role.MASTER))
        .withTolerations(Placement.controlPlaneTolerations())
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .addToInitContainers(
            new ContainerBuilder()
                .withName("tools")
                .withImage(BUSYBOX_IMAGE)
                .withCommand(
                    "/bin/sh",
                    "-c",
                    "cp /bin/busybox " + TOOLS_DIR + "/busybox && " + TOOLS_DIR
                        + "/busybox --install -s " + TOOLS_DIR)
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName("tools")
                .withMountPath(TOOLS_DIR)
                .endVolumeMount()
                .build())
        .addToContainers(
            new ContainerBuilder()
                .withName("etcd-snapshot")
                .withImage(etcdImage)
                .withCommand(TOOLS_DIR + "/sh", script.path())
                .withEnv(
                    new EnvVar("PATH", TOOLS_DIR + ":/usr/local/bin:/usr/bin:/bin", null),
                    new EnvVarBuilder()
                        .withName("HOST_IP")
                        .withNewValueFrom()
                        .withNewFieldRef()
                        .withFieldPath("status.hostIP")
                        .endFieldRef()
                        .endValueFrom()
                        .build(),
                    new EnvVar("ETCD_ENDPOINTS", "https://$(HOST_IP):" + ETCD_CLIENT_PORT, null),
                    new EnvVar("ETCD_CACERT", CLIENT_CERT_DIR + "/ca.crt", null),
                    new EnvVar("ETCD_CERT", CLIENT_CERT_DIR + "/tls.crt", null),
                    new EnvVar("ETCD_KEY", CLIENT_CERT_DIR + "/tls.key", null),
                    new EnvVar("ETCDCTL", "/usr/local/bin/etcdctl", null),
                    new EnvVar("ETCDUTL", "/usr/local/bin/etcdutl", null),
                    new EnvVar("SNAPSHOT_DIR", BACKUP_DIR + "/" + Names.ETCD_SNAPSHOTS_DIR, null),
                    new EnvVar("KEEP", String.valueOf(etcd.getKeep()), null),
                    new EnvVar("TERMINATION_LOG", BackupCronJob.TERMINATION_MESSAGE_PATH, null))
                .withTerminationMessagePath(BackupCronJob.TERMINATION_MESSAGE_PATH)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewSecurityContext()
                .withRunAsUser(0L)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("64Mi")))
                .withLimits(Map.of("memory", new Quantity("512Mi")))
                .endResources()
                .addNewVolumeMount()
                .withName("tools")
                .withMountPath(TOOLS_DIR)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("etcd-client")
                .withMountPath(CLIENT_CERT_DIR)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("backup")
                .withMountPath(BACKUP_DIR)
                .endVolumeMount()
                .addToVolumeMounts(script.mount())
                .build())
        .addNewVolume()
        .withName("tools")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .addNewVolume()
        .withName("etcd-client")
        .withNewSecret()
        .withSecretName(Names.ETCD_CLIENT_SECRET)
        .withDefaultMode(0400)
        .endSecret()
        .endVolume()
        .addNewVolume()
        .withName("backup")
        .withNfs(NfsExport.of(ctx.spec()).volumeSource())
        .endVolume()
        .addToVolumes(script.volume())
        .build();
  }
}
