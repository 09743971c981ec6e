package dev.homecluster.render.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.secrets.VrrpAuthSecretGenerator;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoint's objects as the operator applies them (server-side apply of the rendered
 * component, the generated VRRP Secret), on the simulated cluster's real API server, controllers
 * and scheduler, with the documented cluster's seven fake nodes.
 */
@SimulatedClusterTest
class EndpointIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String NS = Names.CONTROL_PLANE_NAMESPACE;

  private KubernetesClient admin;

  @AfterEach
  void removeWhatTheTestApplied() {
    if (admin == null) {
      return;
    }
    admin.apps().daemonSets().inNamespace(NS).withName(Names.ENDPOINT).delete();
    admin.configMaps().inNamespace(NS).withName(Names.ENDPOINT).delete();
    admin.policy().v1().podDisruptionBudget().inNamespace(NS).withName(Names.ENDPOINT).delete();
    admin.secrets().inNamespace(NS).withName(Names.VRRP_AUTH_SECRET).delete();
  }

  private static void apply(KubernetesClient client, List<? extends HasMetadata> objects) {
    for (HasMetadata object : objects) {
      client.resource(object).fieldManager(Names.OPERATOR).forceConflicts().serverSideApply();
    }
  }

  private List<Pod> endpointPods(HomeCluster cluster) {
    return admin.pods().inNamespace(NS)
        .withLabels(Labels.selector(Names.ENDPOINT))
        .list().getItems();
  }

  @Test
  void endpointPodsRunOnEveryMasterAndNowhereElse(TestCluster testCluster) {
    assumeFalse(testCluster.fakeNodes().isEmpty(), testCluster.kind() + " has no fake master nodes");
    admin = testCluster.client();
    HomeCluster home = Examples.load(Examples.HOME);
    List<Secret> secrets =
        VrrpAuthSecretGenerator.INSTANCE.generate(home, Map.of(), Instant.now(), new SecureRandom());
    apply(admin, secrets);
    List<HasMetadata> objects = Rendered.component(home, Names.ENDPOINT);

    apply(admin, objects);

    Map<String, String> masters =
        RenderContext.of(home).masters().stream()
            .collect(Collectors.toMap(NodeSpec::getName, NodeSpec::getAddress));
    List<Pod> pods =
        Eventually.await(
            "a Running pod of " + Names.ENDPOINT + " on each of the 3 masters",
            WAIT,
            () -> endpointPods(home),
            list -> list.size() == masters.size()
                && list.stream().allMatch(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())));
    assertThat(pods)
        .extracting(p -> p.getSpec().getNodeName())
        .containsExactlyInAnyOrderElementsOf(masters.keySet());
    // Host network: each pod has its master's address.
    assertThat(pods).allSatisfy(p ->
        assertThat(p.getStatus().getPodIP()).isEqualTo(masters.get(p.getSpec().getNodeName())));
    assertThat(pods).allSatisfy(p ->
        assertThat(p.getSpec().getContainers()).extracting(c -> c.getName()).containsExactly("keepalived", "haproxy"));

    DaemonSet ds =
        Eventually.await(
            "DaemonSet status with 3 ready",
            WAIT,
            () -> admin.apps().daemonSets().inNamespace(NS).withName(Names.ENDPOINT).get(),
            d -> d.getStatus() != null && Objects.equals(d.getStatus().getNumberReady(), 3));
    assertThat(ds.getStatus().getDesiredNumberScheduled()).isEqualTo(3);

    // The real disruption controller: one of the three may go, two keep serving.
    PodDisruptionBudget pdb =
        Eventually.await(
            "PodDisruptionBudget status with 3 healthy pods",
            WAIT,
            () -> admin.policy().v1().podDisruptionBudget().inNamespace(NS).withName(Names.ENDPOINT).get(),
            b -> b.getStatus() != null && Objects.equals(b.getStatus().getCurrentHealthy(), 3));
    assertThat(pdb.getStatus().getExpectedPods()).isEqualTo(3);
    assertThat(pdb.getStatus().getDesiredHealthy()).isEqualTo(2);
    assertThat(pdb.getStatus().getDisruptionsAllowed()).isEqualTo(1);

    EndpointStatus status = EndpointStatus.from(home, endpointPods(home));
    assertThat(status.endpoint()).isEqualTo("192.168.1.100:8443");
    assertThat(status.servers()).containsExactly("master-1", "master-2", "master-3");
  }

  @Test
  void theVrrpSecretIsMadeOnceAndKeptOnTheNextReconcile(TestCluster testCluster) {
    admin = testCluster.client();
    HomeCluster home = Examples.load(Examples.HOME);
    apply(admin, VrrpAuthSecretGenerator.INSTANCE.generate(home, Map.of(), Instant.now(), new SecureRandom()));
    Secret stored = admin.secrets().inNamespace(NS).withName(Names.VRRP_AUTH_SECRET).get();

    List<Secret> again =
        VrrpAuthSecretGenerator.INSTANCE.generate(
            home, Map.of(Names.VRRP_AUTH_SECRET, stored), Instant.now(), new SecureRandom());

    assertThat(again).isEmpty();
    assertThat(stored.getData().get(Names.VRRP_AUTH_PASS_KEY)).isNotBlank();
  }

  @Test
  void theApiServerAcceptsTheVariantForAPortBelow1024(TestCluster testCluster) {
    admin = testCluster.client();
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().getControlPlane().getEndpoint().setPort(443);
    DaemonSet ds = Rendered.find(Rendered.component(home, Names.ENDPOINT), DaemonSet.class, Names.ENDPOINT);

    DaemonSet accepted = admin.resource(ds).dryRun().create();

    assertThat(accepted.getSpec().getTemplate().getSpec().getContainers().get(1).getSecurityContext()
        .getCapabilities().getAdd()).containsExactly("NET_BIND_SERVICE");
  }
}
