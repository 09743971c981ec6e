package dev.homecluster.render.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.homecluster.render.ComponentOutput;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The backup components of the documented cluster applied to the simulated cluster (real
 * apiserver, controllers and scheduler, fake nodes): the NFS server lands on the backup node
 * only, the CronJobs are accepted with their schedules, and a Job made from each CronJob (as
 * {@code kubectl create job --from=cronjob/...} does) runs its pod on the right node.
 */
@SimulatedClusterTest
class BackupIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Set<String> MASTERS = Set.of("master-1", "master-2", "master-3");
  private static final List<String> COMPONENTS =
      List.of(Names.NFS_SERVER, Names.BACKUP_RSYNC, Names.ZFS_SNAPSHOT, Names.ETCD_SNAPSHOT);
  private static final String SOURCE_PV = "it-cephfs-backup-source";

  private static boolean applied;

  private static List<HasMetadata> objects() {
    return new Renderer().render(RenderContext.of(Examples.load(Examples.HOME))).components().stream()
        .filter(c -> COMPONENTS.contains(c.component()))
        .map(ComponentOutput::objects)
        .flatMap(List::stream)
        .toList();
  }

  /**
   * The cluster is shared by every IT of the run: later tests apply the whole rendering (with the
   * storage component's own claim of the same name, which an immutable bound claim would refuse),
   * so this class leaves nothing behind.
   */
  @AfterAll
  static synchronized void removeWhatWasApplied(TestCluster cluster) {
    if (!applied) {
      return;
    }
    KubernetesClient admin = cluster.client();
    List<HasMetadata> objects = new java.util.ArrayList<>(objects());
    objects.removeIf(o -> o instanceof io.fabric8.kubernetes.api.model.Namespace);
    objects.add(admin.persistentVolumeClaims().inNamespace(Names.BACKUP_NAMESPACE).withName(Names.CEPHFS_BACKUP_SOURCE_PVC).get());
    objects.add(admin.persistentVolumes().withName(SOURCE_PV).get());
    objects.removeIf(java.util.Objects::isNull);
    objects.forEach(o -> admin.resource(o).delete());
    for (HasMetadata o : objects) {
      Eventually.await(o.getKind() + " " + o.getMetadata().getName() + " gone", WAIT,
          () -> admin.resource(o).get(), java.util.Objects::isNull);
    }
    applied = false;
  }

  /**
   * Applies the components once per class (the client is per test, so not in @BeforeAll). They
   * stay applied, as the documented cluster's own objects, until the class ends.
   */
  private static synchronized void apply(KubernetesClient client, TestCluster cluster) {
    assumeFalse(cluster.fakeNodes().isEmpty(), cluster.kind() + " has no fake nodes");
    if (applied) {
      return;
    }
    for (HasMetadata object : objects()) {
      // The client is bound to the test's namespace: name the object's own explicitly.
      String namespace = object.getMetadata().getNamespace();
      var resource = namespace == null ? client.resource(object) : client.resource(object).inNamespace(namespace);
      resource.forceConflicts().fieldManager(Names.OPERATOR).serverSideApply();
    }
    // Stands in for the storage component's CephFS claim, which needs Rook to be bound.
    client.persistentVolumes().resource(new PersistentVolumeBuilder()
        .withNewMetadata().withName(SOURCE_PV).endMetadata()
        .withNewSpec()
        .withCapacity(Map.of("storage", new Quantity("1Gi")))
        .withAccessModes("ReadOnlyMany")
        .withStorageClassName("")
        .withNewHostPath().withPath("/tmp/it-cephfs").endHostPath()
        .withNewClaimRef().withNamespace(Names.BACKUP_NAMESPACE).withName(Names.CEPHFS_BACKUP_SOURCE_PVC).endClaimRef()
        .endSpec().build()).fieldManager(Names.OPERATOR).forceConflicts().serverSideApply();
    client.persistentVolumeClaims().inNamespace(Names.BACKUP_NAMESPACE).resource(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(Names.CEPHFS_BACKUP_SOURCE_PVC).withNamespace(Names.BACKUP_NAMESPACE).endMetadata()
        .withNewSpec()
        .withAccessModes("ReadOnlyMany")
        .withStorageClassName("")
        .withVolumeName(SOURCE_PV)
        .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources()
        .endSpec().build()).fieldManager(Names.OPERATOR).forceConflicts().serverSideApply();
    applied = true;
  }

  private static boolean running(Pod pod) {
    return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()) && pod.getSpec().getNodeName() != null;
  }

  /**
   * A Job's pod ran: the simulated kubelet (kwok) takes pods with restartPolicy Never from
   * Pending straight to Succeeded, so a run shows as Running or, already, Succeeded.
   */
  private static boolean ran(Pod pod) {
    return pod.getStatus() != null && pod.getSpec().getNodeName() != null
        && Set.of("Running", "Succeeded").contains(pod.getStatus().getPhase());
  }

  private static String describe(List<Pod> pods) {
    return pods.stream()
        .map(p -> p.getMetadata().getName() + " " + (p.getStatus() == null ? "?" : p.getStatus().getPhase())
            + " on " + p.getSpec().getNodeName())
        .toList()
        .toString();
  }

  @Test
  void theNfsServerRunsOnTheBackupNodeOnlyAndItsClaimIsBound(KubernetesClient client, TestCluster cluster) {
    apply(client, cluster);
    List<Pod> pods = Eventually.await(
        "a Running nfs-server pod",
        WAIT,
        () -> client.pods().inNamespace(Names.BACKUP_NAMESPACE)
            .withLabel("app.kubernetes.io/name", Names.NFS_SERVER).list().getItems(),
        list -> !list.isEmpty() && list.stream().allMatch(BackupIT::running));

    assertThat(pods).singleElement().satisfies(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("backup-1"));
    assertThat(client.services().inNamespace(Names.BACKUP_NAMESPACE).withName(Names.NFS_SERVER).get()
        .getSpec().getClusterIP()).isEqualTo("10.96.0.11");
    Eventually.await(
        "claim backup-nfs Bound to " + Names.BACKUP_NFS_PV,
        WAIT,
        () -> client.persistentVolumeClaims().inNamespace(Names.BACKUP_NAMESPACE).withName(Names.BACKUP_NFS_PVC).get(),
        pvc -> pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase())
            && Names.BACKUP_NFS_PV.equals(pvc.getSpec().getVolumeName()));
    assertThat(client.persistentVolumes().withName(Names.BACKUP_NFS_PV).get().getSpec().getPersistentVolumeReclaimPolicy())
        .isEqualTo("Retain");
  }

  @Test
  void theCronJobsAreAcceptedWithTheirSchedules(KubernetesClient client, TestCluster cluster) {
    apply(client, cluster);
    assertThat(cronJob(client, Names.BACKUP_NAMESPACE, Names.BACKUP_RSYNC).getSpec().getSchedule()).isEqualTo("0 3 * * *");
    assertThat(cronJob(client, Names.BACKUP_NAMESPACE, Names.ZFS_SNAPSHOT).getSpec().getSchedule()).isEqualTo("30 3 * * *");
    CronJob etcd = cronJob(client, Names.CONTROL_PLANE_NAMESPACE, Names.ETCD_SNAPSHOT);
    assertThat(etcd.getSpec().getSchedule()).isEqualTo("0 */6 * * *");
    assertThat(etcd.getSpec().getTimeZone()).isEqualTo("Etc/UTC");
  }

  @Test
  void aJobFromTheRsyncCronJobRuns(KubernetesClient client, TestCluster cluster) {
    apply(client, cluster);
    Pod pod = runJobFrom(client, Names.BACKUP_NAMESPACE, Names.BACKUP_RSYNC);

    assertThat(pod.getSpec().getNodeName()).isNotBlank();
  }

  @Test
  void aJobFromTheZfsCronJobRunsOnTheBackupNode(KubernetesClient client, TestCluster cluster) {
    apply(client, cluster);
    Pod pod = runJobFrom(client, Names.BACKUP_NAMESPACE, Names.ZFS_SNAPSHOT);

    assertThat(pod.getSpec().getNodeName()).isEqualTo("backup-1");
  }

  @Test
  void aJobFromTheEtcdSnapshotCronJobRunsOnAMaster(KubernetesClient client, TestCluster cluster) {
    apply(client, cluster);
    Pod pod = runJobFrom(client, Names.CONTROL_PLANE_NAMESPACE, Names.ETCD_SNAPSHOT);

    assertThat(pod.getSpec().getNodeName()).isIn(MASTERS);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "unknown node      | spec.backup.node",
        "no backup role    | spec.backup.node",
        "relative export   | spec.backup.exportPath",
        "cron of 3 fields  | spec.backup.rsync.schedule",
        "keep 0            | spec.backup.etcdSnapshots.keep",
        "keepSnapshots 0   | spec.backup.zfs.keepSnapshots"
      })
  void admissionRejectsBadBackupSettingsNamingTheField(String change, String field, KubernetesClient client, TestCluster cluster) {
    assumeFalse(cluster.fakeNodes().isEmpty(), cluster.kind() + " has no fake nodes");
    dev.homecluster.api.v1alpha1.HomeCluster home = Examples.load(Examples.HOME);
    home.getMetadata().setName("bad-backup");
    var backup = home.getSpec().getBackup();
    switch (change) {
      case "unknown node" -> backup.setNode("backup-9");
      case "no backup role" -> backup.setNode("worker-1");
      case "relative export" -> backup.setExportPath("tank");
      case "cron of 3 fields" -> backup.getRsync().setSchedule("0 3 *");
      case "keep 0" -> backup.getEtcdSnapshots().setKeep(0);
      case "keepSnapshots 0" -> backup.getZfs().setKeepSnapshots(0);
      default -> throw new IllegalArgumentException(change);
    }

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.resource(home).create())
        .isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
        .hasMessageContaining(field);
  }

  private static CronJob cronJob(KubernetesClient client, String namespace, String name) {
    CronJob cronJob = client.batch().v1().cronjobs().inNamespace(namespace).withName(name).get();
    assertThat(cronJob).as("CronJob %s/%s", namespace, name).isNotNull();
    return cronJob;
  }

  /** What {@code kubectl create job --from=cronjob/<name>} does, then waits until its pod ran. */
  private static Pod runJobFrom(KubernetesClient client, String namespace, String name) {
    CronJob cronJob = cronJob(client, namespace, name);
    String jobName = name + "-manual-it";
    Job job = new JobBuilder()
        .withNewMetadata()
        .withName(jobName)
        .withNamespace(namespace)
        .withLabels(cronJob.getSpec().getJobTemplate().getMetadata().getLabels())
        .withAnnotations(Map.of("cronjob.kubernetes.io/instantiate", "manual"))
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("batch/v1").withKind("CronJob")
            .withName(name).withUid(cronJob.getMetadata().getUid()).withController(true).build())
        .endMetadata()
        .withSpec(cronJob.getSpec().getJobTemplate().getSpec())
        .build();
    client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    List<Pod> pods = Eventually.await(
        "a pod of Job " + namespace + "/" + jobName + " that ran",
        WAIT,
        () -> client.pods().inNamespace(namespace).withLabel("batch.kubernetes.io/job-name", jobName).list().getItems(),
        list -> list.stream().anyMatch(BackupIT::ran));
    Pod pod = pods.stream().filter(BackupIT::ran).findFirst().orElseThrow(() -> new AssertionError(describe(pods)));
    client.batch().v1().jobs().inNamespace(namespace).withName(jobName).withPropagationPolicy(
        io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    return pod;
  }
}
