package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.ComponentOutput;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rendered control plane against the real API server, controllers and scheduler of the
 * simulated cluster: every example is accepted as it is (server-side dry-run, strict field
 * validation), and the documented cluster's workloads land where docs/control-plane.md says.
 */
@SimulatedClusterTest
class ControlPlaneIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String TEST_MANAGER = Names.OPERATOR + "-control-plane-it";
  private static final Set<String> MASTERS = Set.of("master-1", "master-2", "master-3");

  /** The components this package renders, in apply order. */
  private static final Set<String> CONTROL_PLANE =
      Set.of(
          Names.ETCD_INSTALLER,
          Names.KUBE_APISERVER,
          Names.POD_CHECKPOINTER,
          Names.KUBE_CONTROLLER_MANAGER,
          Names.KUBE_SCHEDULER,
          Names.FLANNEL,
          Names.KUBE_PROXY,
          Names.COREDNS);

  private static List<HasMetadata> controlPlane(HomeCluster cluster) {
    return new Renderer()
        .render(RenderContext.of(cluster)).components().stream()
            .filter(c -> CONTROL_PLANE.contains(c.component()))
            .flatMap(c -> c.objects().stream())
            .toList();
  }

  private static String describe(HasMetadata o) {
    return o.getKind() + "/" + o.getMetadata().getName();
  }

  @Test
  void everyExamplesControlPlaneIsAcceptedByTheApiServer(TestCluster cluster) {
    KubernetesClient admin = cluster.client();
    List<String> rejected = new ArrayList<>();
    int accepted = 0;
    for (String example : Examples.all()) {
      for (HasMetadata object : controlPlane(Examples.load(example))) {
        try {
          admin
              .resource(object)
              .dryRun()
              .fieldValidation(Validation.STRICT)
              .fieldManager(TEST_MANAGER)
              .forceConflicts()
              .serverSideApply();
          accepted++;
        } catch (KubernetesClientException e) {
          rejected.add(example + " " + describe(object) + ": " + e.getMessage());
        }
      }
    }

    assertThat(rejected).isEmpty();
    // 28 per example: 8 workloads, 8 ConfigMaps, the kube-dns Service, and the ServiceAccounts,
    // roles and bindings of the checkpointer, flannel, kube-proxy and CoreDNS (the controller-
    // manager and the scheduler have none: they authenticate with client certificates).
    assertThat(accepted).isGreaterThanOrEqualTo(3 * 28);
  }

  @Test
  void theDocumentedControlPlaneRunsWhereItShould(TestCluster cluster) {
    assumeFalse(cluster.fakeNodes().isEmpty(), cluster.kind() + " has no fake nodes");
    KubernetesClient admin = cluster.client();
    HomeCluster home = Examples.load(Examples.HOME);
    List<HasMetadata> objects = controlPlane(home);
    List<Node> roles = roleNodes(home);
    try {
      // kwok's Nodes have role labels but no taint: apply the node-roles component as patches of
      // the existing Nodes, so the control-plane tolerations are exercised too.
      roles.forEach(n -> admin.resource(n).fieldManager(TEST_MANAGER).forceConflicts().serverSideApply());
      objects.forEach(o -> admin.resource(o).fieldManager(TEST_MANAGER).forceConflicts().serverSideApply());

      for (String daemonSet : List.of(Names.KUBE_APISERVER, Names.ETCD_INSTALLER, Names.POD_CHECKPOINTER)) {
        Map<String, String> nodes = runningPodsByNode(admin, daemonSet, 3);
        assertThat(nodes.keySet()).as(daemonSet + " pods by node").isEqualTo(MASTERS);
      }
      Map<String, String> controllerManagers = runningPodsByNode(admin, Names.KUBE_CONTROLLER_MANAGER, 2);
      assertThat(controllerManagers.keySet()).as("one controller-manager per master").hasSize(2).isSubsetOf(MASTERS);
      Map<String, String> schedulers = runningPodsByNode(admin, Names.KUBE_SCHEDULER, 2);
      assertThat(schedulers.keySet()).as("one scheduler per master").hasSize(2).isSubsetOf(MASTERS);
      runningPodsByNode(admin, Names.COREDNS, 2);
      assertThat(runningPodsByNode(admin, Names.FLANNEL, 7)).hasSize(7);
      assertThat(runningPodsByNode(admin, Names.KUBE_PROXY, 7)).hasSize(7);
      assertThat(admin.services().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(CoreDnsDeployment.SERVICE).get()
              .getSpec().getClusterIP())
          .isEqualTo("10.96.0.10");
    } finally {
      List<HasMetadata> reversed = new ArrayList<>(objects);
      java.util.Collections.reverse(reversed);
      for (HasMetadata o : reversed) {
        admin.resource(o).withGracePeriod(0).delete();
      }
      // Give the fields back: applying just the names drops the labels and taints this test
      // owned, and leaves kwok's role labels.
      roles.forEach(
          n -> admin.resource(new NodeBuilder().withNewMetadata().withName(n.getMetadata().getName()).endMetadata().build())
              .fieldManager(TEST_MANAGER)
              .forceConflicts()
              .serverSideApply());
    }
  }

  private static List<Node> roleNodes(HomeCluster home) {
    return new Renderer()
        .render(RenderContext.of(home)).components().stream()
            .filter(c -> c.component().equals(Names.NODE_ROLES))
            .map(ComponentOutput::objects)
            .flatMap(List::stream)
            .map(Node.class::cast)
            .toList();
  }

  /** Waits until {@code count} pods of the workload run, and returns node -> pod name. */
  private static Map<String, String> runningPodsByNode(KubernetesClient admin, String component, int count) {
    List<Pod> pods =
        Eventually.await(
            count + " running " + component + " pods",
            WAIT,
            () -> admin.pods().inNamespace(Names.CONTROL_PLANE_NAMESPACE)
                .withLabel("app.kubernetes.io/name", component)
                .list().getItems(),
            list -> list.size() == count
                && list.stream().allMatch(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())));
    return pods.stream()
        .collect(Collectors.toMap(p -> p.getSpec().getNodeName(), p -> p.getMetadata().getName(), (a, b) -> a + "," + b, TreeMap::new));
  }
}
