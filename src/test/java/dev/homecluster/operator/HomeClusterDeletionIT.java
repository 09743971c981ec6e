package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.DeletionPolicy;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import dev.homecluster.render.storage.CephProbeComponent;
import dev.homecluster.testing.Examples;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import dev.homecluster.render.Labels;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What deleting a HomeCluster keeps and removes, with Rook's CRDs installed. */
@SimulatedClusterTest(rookCrds = true)
class HomeClusterDeletionIT {
  private static final String HOLD = "it.homecluster.dev/hold";
  private OperatorHarness harness;

  @AfterEach
  void removeTheHomeCluster() {
    if (harness != null) {
      var cephCluster = cephCluster(harness);
      if (cephCluster.get() != null) {
        cephCluster.edit(c -> {
          c.getMetadata().getFinalizers().remove(HOLD);
          return c;
        });
      }
      harness.close();
    }
  }

  private static Resource<GenericKubernetesResource> cephCluster(OperatorHarness h) {
    return h.admin.genericKubernetesResources("ceph.rook.io/v1", "CephCluster")
        .inNamespace(CephProbeComponent.NAMESPACE).withName(CephProbeComponent.CEPH_CLUSTER);
  }

  private HomeCluster applied(TestCluster cluster, DeletionPolicy policy) {
    harness = new OperatorHarness(cluster, OperatorOptions.DEFAULT_RESYNC, false).start();
    HomeCluster hc = Examples.load(Examples.HOME);
    hc.getSpec().setDeletionPolicy(policy);
    harness.apply(hc);
    harness.awaitReady();
    Eventually.await("the CephCluster applied", OperatorHarness.TIMEOUT, () -> cephCluster(harness).get(), Objects::nonNull);
    return harness.get();
  }

  private void deleteAndAwaitGone() {
    harness.admin.resources(HomeCluster.class).withName(OperatorHarness.NAME).delete();
    Eventually.await("HomeCluster deleted", OperatorHarness.TIMEOUT, harness::get, Objects::isNull);
  }

  @Test
  void deletionByDefaultLeavesTheClusterRunningWithItsKeysAndData(TestCluster cluster) {
    applied(cluster, DeletionPolicy.Orphan);
    Map<String, String> keys = keys();
    String apiserverUid = apiserver().getMetadata().getUid();
    // As operator versions before 0.2 left them: owned by the HomeCluster, for the garbage collector.
    HomeCluster hc = harness.get();
    OwnerReference legacy = new OwnerReferenceBuilder().withApiVersion(HomeCluster.API_VERSION).withKind(HomeCluster.KIND)
        .withName(hc.getMetadata().getName()).withUid(hc.getMetadata().getUid()).withController(true).build();
    harness.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.KUBE_APISERVER)
        .edit(d -> new DaemonSetBuilder(d).editMetadata().withOwnerReferences(legacy).endMetadata().build());
    harness.admin.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.CLUSTER_CA_SECRET)
        .edit(s -> new SecretBuilder(s).editMetadata().withOwnerReferences(legacy).endMetadata().build());
    // Both edits are events of the operator's informers: it reconciles now.
    Eventually.await("the operator removed the legacy owner references", OperatorHarness.TIMEOUT,
        () -> apiserver().getMetadata().getOwnerReferences().size()
            + secret(Names.CLUSTER_CA_SECRET).getMetadata().getOwnerReferences().size(),
        n -> n == 0);

    deleteAndAwaitGone();
    OperatorHarness.sleep(Duration.ofSeconds(5)); // time for a garbage collector that had anything to do

    assertThat(cephCluster(harness).get()).as("CephCluster").isNotNull();
    assertThat(harness.admin.persistentVolumes().withName(CephProbeComponent.VOLUME).get()).as("PersistentVolume").isNotNull();
    assertThat(keys()).as("the CA, service-account and encryption keys, byte for byte").isEqualTo(keys);
    assertThat(apiserver()).as("kube-apiserver DaemonSet").isNotNull();
    assertThat(apiserver().getMetadata().getUid()).isEqualTo(apiserverUid);
    assertThat(harness.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(ProbeComponent.NAME).get())
        .as("every other workload keeps running too").isNotNull();
    assertThat(harness.admin.batch().v1().cronjobs().inAnyNamespace().withLabel(Labels.PART_OF, OperatorHarness.NAME)
        .list().getItems()).as("the backup CronJobs").isNotEmpty();
  }

  @Test
  void deletionPolicyDeleteRemovesDataStorageAndBackupsButNeverTheControlPlaneOrKeys(TestCluster cluster) {
    applied(cluster, DeletionPolicy.Delete);
    Map<String, String> keys = keys();
    assertThat(harness.admin.batch().v1().cronjobs().inAnyNamespace().withLabel(Labels.PART_OF, OperatorHarness.NAME)
        .list().getItems()).as("the backup CronJobs before").isNotEmpty();

    deleteAndAwaitGone();

    Eventually.await("CephCluster deleted", OperatorHarness.TIMEOUT, () -> cephCluster(harness).get(), Objects::isNull);
    Eventually.await("PersistentVolume deleted", OperatorHarness.TIMEOUT,
        () -> harness.admin.persistentVolumes().withName(CephProbeComponent.VOLUME).get(), Objects::isNull);
    assertThat(harness.admin.batch().v1().cronjobs().inAnyNamespace().withLabel(Labels.PART_OF, OperatorHarness.NAME)
        .list().getItems()).as("the backup CronJobs after").isEmpty();
    assertThat(keys()).as("the keys, byte for byte").isEqualTo(keys);
    assertThat(apiserver()).as("kube-apiserver DaemonSet").isNotNull();
    assertThat(harness.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.ENDPOINT).get())
        .as("the VIP's keepalived and HAProxy").isNotNull();
  }

  private DaemonSet apiserver() {
    return harness.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.KUBE_APISERVER).get();
  }

  private Secret secret(String name) {
    return harness.admin.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(name).get();
  }

  private Map<String, String> keys() {
    Map<String, String> keys = new TreeMap<>();
    for (String name : List.of(Names.CLUSTER_CA_SECRET, Names.SERVICE_ACCOUNT_KEY_SECRET, Names.ENCRYPTION_CONFIG_SECRET)) {
      Secret s = secret(name);
      assertThat(s).as("Secret " + name).isNotNull();
      keys.put(name, s.getMetadata().getUid() + " " + new TreeMap<>(s.getData()));
    }
    return keys;
  }

  @Test
  void anOperatorRestartedMidDeletionCompletesIt(TestCluster cluster) {
    applied(cluster, DeletionPolicy.Delete);
    // Stands in for Rook's own finalizer, which holds a CephCluster while Ceph cleans up.
    cephCluster(harness).edit(c -> {
      c.getMetadata().setFinalizers(new ArrayList<>(java.util.List.of(HOLD)));
      return c;
    });

    harness.admin.resources(HomeCluster.class).withName(OperatorHarness.NAME).delete();
    Eventually.await("the CephCluster deletion started", OperatorHarness.TIMEOUT,
        () -> cephCluster(harness).get().getMetadata().getDeletionTimestamp(), Objects::nonNull);
    harness.stop();
    harness.start();
    OperatorHarness.sleep(Duration.ofSeconds(3));
    assertThat(harness.get()).as("HomeCluster held while its data is being deleted").isNotNull();

    cephCluster(harness).edit(c -> {
      c.getMetadata().getFinalizers().remove(HOLD);
      return c;
    });

    Eventually.await("HomeCluster deleted by the new operator", OperatorHarness.TIMEOUT, harness::get, Objects::isNull);
    assertThat(harness.admin.persistentVolumes().withName(CephProbeComponent.VOLUME).get()).isNull();
  }
}
