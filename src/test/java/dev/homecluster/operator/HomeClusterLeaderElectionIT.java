package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two replicas with leader election: one reconciles, the other takes over when it stops. */
@SimulatedClusterTest
class HomeClusterLeaderElectionIT {
  private OperatorHarness harness;
  private HomeClusterOperator a;
  private HomeClusterOperator b;

  @AfterEach
  void stopReplicasAndRemoveTheHomeCluster() {
    for (HomeClusterOperator replica : new HomeClusterOperator[] {a, b}) {
      if (replica != null) {
        replica.stop();
      }
    }
    if (harness != null) {
      harness.close();
    }
  }

  private HomeClusterOperator replica(String namespace, String identity) {
    return new HomeClusterOperator(
            harness.operatorClient,
            OperatorOptions.inProcess()
                .withRenderer(OperatorHarness.renderer())
                .withLeaderElection(namespace, identity))
        .start();
  }

  @Test
  void theSecondReplicaTakesOverWhenTheLeaderStops(TestCluster cluster, Namespace namespace) {
    harness = new OperatorHarness(cluster, OperatorOptions.DEFAULT_RESYNC);
    String ns = namespace.getMetadata().getName();
    a = replica(ns, "replica-a");
    b = replica(ns, "replica-b");
    harness.apply(Examples.load(Examples.HOME));
    harness.awaitReady();

    var lease = harness.admin.leases().inNamespace(ns).withName(OperatorOptions.DEFAULT_LEASE_NAME);
    String leader = lease.get().getSpec().getHolderIdentity();
    assertThat(leader).isIn("replica-a", "replica-b");
    Map<String, HomeClusterOperator> replicas = Map.of("replica-a", a, "replica-b", b);
    replicas.get(leader).stop();
    String follower = leader.equals("replica-a") ? "replica-b" : "replica-a";

    Eventually.await("the Lease taken over by " + follower, Duration.ofSeconds(60), lease::get,
        l -> follower.equals(l.getSpec().getHolderIdentity()));
    var daemonSets = harness.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE);
    String uid = daemonSets.withName(ProbeComponent.NAME).get().getMetadata().getUid();
    daemonSets.withName(ProbeComponent.NAME).delete();
    Eventually.await("the DaemonSet re-created by the new leader", Duration.ofSeconds(60),
        () -> daemonSets.withName(ProbeComponent.NAME).get(),
        ds -> ds != null && !ds.getMetadata().getUid().equals(uid) && ds.getMetadata().getDeletionTimestamp() == null);
    assertThat(Objects.requireNonNull(lease.get()).getSpec().getHolderIdentity()).isEqualTo(follower);
    Lease held = lease.get();
    assertThat(held.getSpec().getLeaseDurationSeconds()).isPositive();
  }
}
