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
  void deletionKeepsTheCephClusterAndTheVolumeByDefault(TestCluster cluster) {
    applied(cluster, DeletionPolicy.Orphan);

    deleteAndAwaitGone();

    assertThat(cephCluster(harness).get()).as("CephCluster").isNotNull();
    assertThat(harness.admin.persistentVolumes().withName(CephProbeComponent.VOLUME).get()).as("PersistentVolume").isNotNull();
    Eventually.await("the probe DaemonSet garbage-collected", OperatorHarness.TIMEOUT,
        () -> harness.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(ProbeComponent.NAME).get(),
        Objects::isNull);
  }

  @Test
  void deletionPolicyDeleteRemovesThem(TestCluster cluster) {
    applied(cluster, DeletionPolicy.Delete);

    deleteAndAwaitGone();

    Eventually.await("CephCluster deleted", OperatorHarness.TIMEOUT, () -> cephCluster(harness).get(), Objects::isNull);
    Eventually.await("PersistentVolume deleted", OperatorHarness.TIMEOUT,
        () -> harness.admin.persistentVolumes().withName(CephProbeComponent.VOLUME).get(), Objects::isNull);
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
