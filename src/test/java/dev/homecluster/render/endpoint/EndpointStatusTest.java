package dev.homecluster.render.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointStatusTest {
  private static Pod endpointPod(String cluster, String node, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(Names.ENDPOINT + "-" + node)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .withLabels(Labels.pod(cluster, Names.ENDPOINT))
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void reportsTheVipAndTheMastersWithAReadyPodInSpecOrder() {
    HomeCluster home = Examples.load(Examples.HOME);
    List<Pod> pods =
        List.of(
            endpointPod("home", "master-3", true),
            endpointPod("home", "master-2", false),
            endpointPod("home", "master-1", true));

    EndpointStatus status = EndpointStatus.from(home, pods);

    assertThat(status.endpoint()).isEqualTo("192.168.1.100:8443");
    assertThat(status.servers()).containsExactly("master-1", "master-3");
  }

  @Test
  void ignoresPodsBeingDeletedPendingOrOfAnotherManagerOrComponent() {
    HomeCluster home = Examples.load(Examples.HOME);
    Pod deleting = endpointPod("home", "master-1", true);
    deleting.getMetadata().setDeletionTimestamp("2026-11-30T10:00:00Z");
    Pod pending = endpointPod("home", "master-2", true);
    pending.getStatus().setPhase("Pending");
    Pod otherCluster = endpointPod("home", "master-3", true);
    otherCluster.getMetadata().getLabels().put(Labels.MANAGED_BY, "helm"); // someone else's pod of that name
    Pod otherComponent = endpointPod("home", "master-3", true);
    otherComponent.getMetadata().setLabels(Labels.pod("home", Names.KUBE_APISERVER));
    Pod unscheduled = endpointPod("home", "master-3", true);
    unscheduled.getSpec().setNodeName(null);

    EndpointStatus status =
        EndpointStatus.from(home, List.of(deleting, pending, otherCluster, otherComponent, unscheduled));

    assertThat(status.servers()).isEmpty();
    assertThat(status.endpoint()).isEqualTo("192.168.1.100:8443");
  }

  @Test
  void aPodOnANodeThatIsNoLongerAMasterDoesNotServe() {
    HomeCluster home = Examples.load(Examples.HOME);

    EndpointStatus status = EndpointStatus.from(home, List.of(endpointPod("home", "worker-1", true)));

    assertThat(status.servers()).isEmpty();
  }

  @Test
  void bracketsAnIpv6Vip() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().getControlPlane().getEndpoint().setVip("fd00:1::10");

    assertThat(EndpointStatus.from(home, List.of()).endpoint()).isEqualTo("[fd00:1::10]:8443");
  }

  @Test
  void writesIntoTheStatus() {
    HomeClusterStatus status = new HomeClusterStatus();

    EndpointStatus.from(Examples.load(Examples.HOME), List.of(endpointPod("home", "master-2", true)))
        .applyTo(status);

    assertThat(status.getEndpoint()).isEqualTo("192.168.1.100:8443");
    assertThat(status.getEndpointServers()).containsExactly("master-2");
  }
}
