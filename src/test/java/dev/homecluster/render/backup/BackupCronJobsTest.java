package dev.homecluster.render.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The rsync, ZFS snapshot and etcd snapshot CronJobs. */
class BackupCronJobsTest {

  private static CronJob cronJob(HomeCluster cluster, String name) {
    return Rendered.find(Rendered.component(cluster, name), CronJob.class, name);
  }

  private static PodSpec pod(CronJob cronJob) {
    return cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
  }

  private static Map<String, String> env(Container container) {
    return container.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  @Test
  void rsyncRunsTheScriptWithTheConfiguredFlagsOnTheSchedule() {
    HomeCluster big = Examples.load(Examples.BIG);
    CronJob cronJob = cronJob(big, Names.BACKUP_RSYNC);

    assertThat(cronJob.getSpec().getSchedule()).isEqualTo("15 2 * * *");
    assertThat(cronJob.getSpec().getTimeZone()).isEqualTo("Etc/UTC");
    assertThat(cronJob.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
    assertThat(cronJob.getSpec().getStartingDeadlineSeconds()).isEqualTo(3600L);
    assertThat(cronJob.getSpec().getSuccessfulJobsHistoryLimit()).isEqualTo(3);
    assertThat(cronJob.getSpec().getFailedJobsHistoryLimit()).isEqualTo(3);
    assertThat(cronJob.getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds()).isEqualTo(21600L);
    Container rsync = pod(cronJob).getContainers().get(0);
    assertThat(rsync.getCommand())
        .containsExactly("/bin/sh", "/scripts/backup-rsync.sh", "-aHAX", "--delete-after", "--numeric-ids");
    assertThat(env(rsync)).containsEntry("TARGET", "cephfs").containsEntry("SOURCE_DIR", "/source");
    assertThat(rsync.getTerminationMessagePath()).isEqualTo(env(rsync).get("TERMINATION_LOG"));
  }

  @Test
  void rsyncReadsCephfsReadOnlyAndWritesTheNfsClaim() {
    PodSpec pod = pod(cronJob(Examples.load(Examples.HOME), Names.BACKUP_RSYNC));

    assertThat(pod.getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null).anySatisfy(v -> {
      assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(Names.CEPHFS_BACKUP_SOURCE_PVC);
      assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
    });
    assertThat(pod.getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null).anySatisfy(v ->
        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(Names.BACKUP_NFS_PVC));
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .filteredOn(m -> m.getMountPath().equals("/source"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(pod.getContainers().get(0).getSecurityContext().getPrivileged()).isNull();
  }

  @Test
  void rsyncTimeoutIsTheJobsDeadline() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getBackup().getRsync().setTimeoutSeconds(7200);

    assertThat(cronJob(cluster, Names.BACKUP_RSYNC).getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds())
        .isEqualTo(7200L);
  }

  @Test
  void noRsyncWithoutCeph() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getStorage().getCeph().setEnabled(false);

    assertThat(Rendered.component(cluster, Names.BACKUP_RSYNC)).isEmpty();
    assertThat(Rendered.component(cluster, Names.NFS_SERVER)).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {Names.BACKUP_RSYNC, Names.ZFS_SNAPSHOT, Names.ETCD_SNAPSHOT})
  void scriptConfigMapHoldsTheRepositoryFileTheJobRuns(String component) {
    List<HasMetadata> objects = Rendered.component(Examples.HOME, component);
    CronJob cronJob = Rendered.find(objects, CronJob.class, component);
    ConfigMap configMap = Rendered.find(objects, ConfigMap.class, component + "-script");
    String file = configMap.getData().keySet().iterator().next();

    assertThat(configMap.getData().get(file)).isEqualTo(ScriptConfigMap.text(file)).startsWith("#!/bin/sh");
    assertThat(configMap.getMetadata().getNamespace()).isEqualTo(cronJob.getMetadata().getNamespace());
    assertThat(pod(cronJob).getContainers().get(0).getCommand()).contains("/scripts/" + file);
    assertThat(pod(cronJob).getVolumes())
        .filteredOn(v -> v.getConfigMap() != null)
        .singleElement()
        .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo(configMap.getMetadata().getName()));
    assertThat(cronJob.getSpec().getJobTemplate().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/component", component);
  }

  @Test
  void zfsSnapshotRunsTheHostsZfsOnTheBackupNode() {
    CronJob cronJob = cronJob(Examples.load(Examples.HOME), Names.ZFS_SNAPSHOT);
    PodSpec pod = pod(cronJob);

    assertThat(cronJob.getSpec().getSchedule()).isEqualTo("30 3 * * *");
    assertThat(pod.getNodeSelector()).isEqualTo(Placement.node("backup-1"));
    assertThat(pod.getHostPID()).isTrue();
    Container zfs = pod.getContainers().get(0);
    assertThat(zfs.getSecurityContext().getPrivileged()).isTrue();
    assertThat(env(zfs))
        .containsEntry("ZFS", "nsenter --target 1 --mount -- zfs")
        .containsEntry("ZFS_DATASET", "tank")
        .containsEntry("KEEP_SNAPSHOTS", "14");
  }

  @Test
  void noZfsJobWithoutZfsSettings() {
    assertThat(Rendered.component(Examples.ONE_BOX_LAB, Names.ZFS_SNAPSHOT)).isEmpty();
  }

  @Test
  void etcdSnapshotRunsOnAMasterWithTheClientCertificateAndWritesTheExport() {
    CronJob cronJob = cronJob(Examples.load(Examples.BIG), Names.ETCD_SNAPSHOT);
    PodSpec pod = pod(cronJob);

    assertThat(cronJob.getMetadata().getNamespace()).isEqualTo(Names.CONTROL_PLANE_NAMESPACE);
    assertThat(cronJob.getSpec().getSchedule()).isEqualTo("0 */4 * * *");
    assertThat(pod.getNodeSelector()).isEqualTo(Placement.nodesWith(Role.MASTER));
    assertThat(pod.getTolerations()).isEqualTo(Placement.controlPlaneTolerations());
    assertThat(pod.getHostNetwork()).isNull();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).singleElement().satisfies(v ->
        assertThat(v.getSecret().getSecretName()).isEqualTo(Names.ETCD_CLIENT_SECRET));
    assertThat(pod.getVolumes()).filteredOn(v -> v.getNfs() != null).singleElement().satisfies(v -> {
      assertThat(v.getNfs().getServer()).isEqualTo(NfsExport.serviceIp(Examples.load(Examples.BIG).getSpec()));
      assertThat(v.getNfs().getPath()).isEqualTo("/");
    });
    Container etcd = pod.getContainers().get(0);
    assertThat(etcd.getImage()).isEqualTo("registry.k8s.io/etcd:3.6.4-0");
    assertThat(env(etcd))
        .containsEntry("KEEP", "42")
        .containsEntry("SNAPSHOT_DIR", "/backup/etcd")
        .containsEntry("ETCD_ENDPOINTS", "https://$(HOST_IP):2379");
    assertThat(etcd.getSecurityContext().getPrivileged()).isNull();
  }

  @Test
  void noEtcdSnapshotsWhenDisabled() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getBackup().getEtcdSnapshots().setEnabled(false);

    assertThat(Rendered.component(cluster, Names.ETCD_SNAPSHOT)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {Examples.HOME, Examples.ONE_BOX_LAB, Examples.BIG})
  void onlyTheNfsServerAndTheZfsJobArePrivileged(String example) {
    List<String> privileged =
        new Renderer().render(RenderContext.of(Examples.load(example))).components().stream()
            .flatMap(c -> c.objects().stream())
            .flatMap(o -> podSpec(o).stream().map(p -> Map.entry(o.getMetadata().getName(), p)))
            .filter(e -> e.getValue().getContainers().stream().anyMatch(c ->
                c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged())))
            .map(Map.Entry::getKey)
            .toList();

    assertThat(privileged).isSubsetOf(Names.NFS_SERVER, Names.ZFS_SNAPSHOT).contains(Names.NFS_SERVER);
  }

  private static java.util.Optional<PodSpec> podSpec(HasMetadata object) {
    if (object instanceof CronJob c) {
      return java.util.Optional.of(pod(c));
    }
    if (object instanceof Deployment d) {
      return java.util.Optional.of(d.getSpec().getTemplate().getSpec());
    }
    return java.util.Optional.empty();
  }

  @ParameterizedTest
  @ValueSource(strings = {Names.BACKUP_RSYNC, Names.ZFS_SNAPSHOT, Names.ETCD_SNAPSHOT})
  void matchesGoldenYamlForTheDocumentedCluster(String component) {
    Golden.assertMatches(component + "/home.yaml", Manifests.toYaml(Rendered.component(Examples.HOME, component)));
  }
}
