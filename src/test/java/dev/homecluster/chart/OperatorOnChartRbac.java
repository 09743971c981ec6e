package dev.homecluster.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.operator.ConditionTypes;
import dev.homecluster.operator.Conditions;
import dev.homecluster.operator.HomeClusterOperator;
import dev.homecluster.operator.OperatorOptions;
import dev.homecluster.render.Labels;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The real operator ({@link HomeClusterOperator}, every default component, leader election in the
 * release namespace) in-process on a token of the chart's ServiceAccount, reconciling a
 * HomeCluster to Ready and deleting it again. Every request the API server refuses with 403 is
 * recorded and fails the run, also one the operator would only retry or report in a condition.
 * Adapted from the operator tests' harness.
 */
final class OperatorOnChartRbac {
  static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final Duration NAMESPACE_TIMEOUT = Duration.ofMinutes(2);
  private static final String IDENTITY = "chart-it";

  private OperatorOnChartRbac() {}

  /**
   * Applies {@code cluster} as admin, waits for Ready=True with the status of the current
   * generation (what the operator tests wait for), deletes it with the operator still running, and
   * cleans up what it leaves on purpose (data-bearing objects, namespaces made here).
   *
   * @return the HomeCluster as it was when Ready
   */
  static HomeCluster reconcileToReady(TestCluster testCluster, KubernetesClient admin, String releaseNamespace,
      HomeCluster cluster) throws Exception {
    String name = cluster.getMetadata().getName();
    RefusedRequests refusals = new RefusedRequests();
    List<String> createdNamespaces = ensureNamespacesNoComponentRenders(admin, cluster);
    HomeCluster ready;
    try (KubernetesClient client = new KubernetesClientBuilder()
            .withConfig(ChartIT.serviceAccountConfig(testCluster, admin, releaseNamespace))
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("refused-requests", refusals))
            .build()) {
      HomeClusterOperator operator = new HomeClusterOperator(client,
          OperatorOptions.inProcess().withLeaderElection(releaseNamespace, IDENTITY)).start();
      try {
        cluster.setStatus(null);
        admin.resource(cluster).fieldManager("chart-it").forceConflicts().serverSideApply();
        ready = awaitReady(admin, name, refusals);
        assertThat(admin.leases().inNamespace(releaseNamespace).withName(OperatorOptions.DEFAULT_LEASE_NAME).get()
            .getSpec().getHolderIdentity()).as("the operator held the Lease of the release namespace").isEqualTo(IDENTITY);
      } finally {
        deleteWithTheOperatorRunning(admin, name);
        operator.stop();
        removeWhatItKeeps(admin, name, createdNamespaces);
      }
    }
    assertThat(refusals.refused()).as("requests of the operator that the chart's RBAC refused").isEmpty();
    return ready;
  }

  /**
   * Namespaces the rendered objects go into that no component renders (Rook's: its own chart makes
   * it), so that applying them can succeed; made as admin, as a user installing Rook would.
   */
  private static List<String> ensureNamespacesNoComponentRenders(KubernetesClient admin, HomeCluster cluster) {
    List<HasMetadata> objects = new Renderer().render(RenderContext.of(cluster)).objects();
    Set<String> rendered = objects.stream().filter(o -> o.getKind().equals("Namespace"))
        .map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
    List<String> created = new ArrayList<>();
    objects.stream()
        .map(o -> o.getMetadata().getNamespace())
        .filter(ns -> ns != null && !rendered.contains(ns))
        .distinct()
        .filter(ns -> admin.namespaces().withName(ns).get() == null)
        .forEach(ns -> {
          admin.resource(new NamespaceBuilder().withNewMetadata().withName(ns)
              .addToLabels("homecluster.dev/test", "true").endMetadata().build()).create();
          created.add(ns);
        });
    return created;
  }

  private static HomeCluster awaitReady(KubernetesClient admin, String name, RefusedRequests refusals) {
    try {
      Eventually.await(
          "Ready=True on HomeCluster " + name,
          READY_TIMEOUT,
          () -> conditionText(admin, name),
          text -> text.startsWith(Conditions.TRUE + " "));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; requests the chart's RBAC refused: " + refusals.refused(), e);
    }
    return Eventually.await(
        "status of the current generation",
        TIMEOUT,
        () -> admin.resources(HomeCluster.class).withName(name).get(),
        c -> Objects.equals(c.getStatus().getObservedGeneration(), c.getMetadata().getGeneration()));
  }

  private static String conditionText(KubernetesClient admin, String name) {
    HomeCluster hc = admin.resources(HomeCluster.class).withName(name).get();
    Condition c = hc == null || hc.getStatus() == null ? null
        : Conditions.find(hc.getStatus().getConditions(), ConditionTypes.READY);
    return c == null ? "absent" : c.getStatus() + " " + c.getReason() + ": " + c.getMessage();
  }

  private static void deleteWithTheOperatorRunning(KubernetesClient admin, String name) {
    if (admin.resources(HomeCluster.class).withName(name).get() == null) {
      return;
    }
    admin.resources(HomeCluster.class).withName(name).delete();
    Eventually.await("HomeCluster " + name + " gone (its finalizer run by the operator)", TIMEOUT,
        () -> admin.resources(HomeCluster.class).withName(name).get(), Objects::isNull);
  }

  /**
   * What deleting a HomeCluster keeps by design (volumes, claims, Ceph's data-bearing objects,
   * the namespaces), so that the next test starts from none; then waits for the garbage collector.
   */
  /**
   * Deletes namespaces made for a test and waits until they are gone, not just terminating: a
   * later test that finds one still there would not make it again and then see it vanish.
   */
  static void deleteNamespaces(KubernetesClient admin, List<String> namespaces) {
    namespaces.forEach(ns -> admin.namespaces().withName(ns).delete());
    for (String ns : namespaces) {
      Eventually.await("namespace " + ns + " gone", NAMESPACE_TIMEOUT, () -> admin.namespaces().withName(ns).get(),
          Objects::isNull);
    }
  }

  private static void removeWhatItKeeps(KubernetesClient admin, String name, List<String> createdNamespaces) {
    Map<String, String> labels = Map.of(Labels.PART_OF, name);
    admin.persistentVolumeClaims().inAnyNamespace().withLabels(labels).delete();
    admin.persistentVolumes().withLabels(labels).delete();
    if (admin.getApiResources("ceph.rook.io/v1") != null) {
      for (String kind : List.of("CephCluster", "CephFilesystem")) {
        admin.genericKubernetesResources("ceph.rook.io/v1", kind).inAnyNamespace().withLabels(labels).delete();
      }
    }
    deleteNamespaces(admin, createdNamespaces);
    // Deleting a HomeCluster deletes none of its workloads or keys (by design): remove them.
    dev.homecluster.testing.ClusterCleanup.deleteAll(admin, name, new dev.homecluster.render.Renderer(), TIMEOUT);
  }
}
