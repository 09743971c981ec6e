package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.Names;
import dev.homecluster.render.storage.CephProbeComponent;
import dev.homecluster.testing.Examples;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Storage with Rook's CRDs installed: readiness from Rook, and a failed apply reported and retried. */
@SimulatedClusterTest(rookCrds = true)
class HomeClusterStorageIT {
  private OperatorHarness harness;

  @AfterEach
  void removeTheHomeCluster() {
    if (harness != null) {
      harness.close();
    }
  }

  private Resource<GenericKubernetesResource> cephCluster() {
    return harness.admin.genericKubernetesResources("ceph.rook.io/v1", "CephCluster")
        .inNamespace(CephProbeComponent.NAMESPACE).withName(CephProbeComponent.CEPH_CLUSTER);
  }

  private void applied(TestCluster cluster) {
    harness = new OperatorHarness(cluster, OperatorOptions.DEFAULT_RESYNC, false).start();
    harness.apply(Examples.load(Examples.HOME));
    harness.awaitReady();
    Eventually.await("the CephCluster applied", OperatorHarness.TIMEOUT, this::cephCluster, r -> r.get() != null);
  }

  @Test
  void storageIsReadyWhenRookSaysSoAndDataCarriesNoOwner(TestCluster cluster) {
    applied(cluster);
    Eventually.await("StorageReady waiting for Rook", OperatorHarness.TIMEOUT,
        () -> harness.condition(ConditionTypes.STORAGE_READY).getMessage(),
        m -> m.equals("CephCluster " + CephProbeComponent.NAMESPACE + "/" + CephProbeComponent.CEPH_CLUSTER + ": no status yet"));
    assertThat(harness.get().getStatus().getPhase()).isEqualTo(StatusAggregator.PHASE_DEGRADED);

    cephCluster().editStatus(c -> {
      c.getAdditionalProperties().put("status", Map.of("phase", "Ready"));
      return c;
    });

    harness.awaitCondition(ConditionTypes.STORAGE_READY, "True", OperatorHarness.TIMEOUT);
    Eventually.await("phase Ready", OperatorHarness.TIMEOUT, () -> harness.get().getStatus().getPhase(),
        StatusAggregator.PHASE_READY::equals);
    assertThat(cephCluster().get().getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(harness.admin.persistentVolumes().withName(CephProbeComponent.VOLUME).get().getMetadata().getOwnerReferences())
        .isNullOrEmpty();
  }

  @Test
  void aRejectedApplyIsReportedOnceAndRetriedWhileTheRestReconciles(TestCluster cluster) {
    applied(cluster);
    HomeCluster moved = Examples.load(Examples.HOME);
    NodeSpec backup = moved.getSpec().getNodes().stream().filter(n -> n.getName().equals("backup-1")).findFirst().orElseThrow();
    // The probe's volume points at the backup node; a PersistentVolume's source is immutable.
    backup.setAddress("192.168.1.141");
    NodeSpec worker4 = new NodeSpec();
    worker4.setName("worker-4");
    worker4.setAddress("192.168.1.134");
    worker4.setRoles(new java.util.ArrayList<>(List.of(dev.homecluster.api.v1alpha1.Role.WORKER)));
    moved.getSpec().getNodes().add(worker4);
    harness.apply(moved);

    HomeCluster hc = harness.awaitCondition(ConditionTypes.READY, "False", OperatorHarness.TIMEOUT);
    Condition ready = Conditions.find(hc.getStatus().getConditions(), ConditionTypes.READY);
    assertThat(ready.getReason()).isEqualTo("ApplyFailed");
    assertThat(ready.getMessage()).contains("PersistentVolume " + CephProbeComponent.VOLUME).contains("immutable");
    assertThat(hc.getStatus().getObservedGeneration()).isEqualTo(hc.getMetadata().getGeneration());
    // Other components went on: the probe ConfigMap counts the new worker.
    assertThat(harness.admin.configMaps().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(ProbeComponent.NAME).get().getData())
        .containsEntry("workers", "4");

    // Let the events of what was applied pass; then only retries remain.
    OperatorHarness.sleep(Duration.ofSeconds(5));
    double reconciles = harness.reconciles();
    OperatorHarness.sleep(Duration.ofSeconds(10));
    assertThat(harness.reconciles() - reconciles).as("retries with backoff, not a hot loop").isBetween(1.0, 6.0);
    List<Event> failures =
        harness.admin.v1().events().inNamespace(ClusterEvents.NAMESPACE).list().getItems().stream()
            .filter(e -> hc.getMetadata().getUid().equals(e.getInvolvedObject().getUid())
                && HomeClusterReconciler.REASON_APPLY_FAILED.equals(e.getReason()))
            .toList();
    assertThat(failures).as("one deduplicated Warning event").hasSize(1);
    assertThat(failures.get(0).getType()).isEqualTo("Warning");

    harness.apply(Examples.load(Examples.HOME));
    harness.awaitReady();
    assertThat(Objects.requireNonNull(harness.condition(ConditionTypes.READY)).getReason()).isEqualTo("Ready");
  }
}
