package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.SSABasedGenericKubernetesResourceMatcher;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every kind the operator applies must compare equal to itself once the API server has stored
 * it, defaults and all: otherwise each reconcile re-applies it, which is a write per object per
 * event in a steady cluster. Applies the whole rendering of every example the way the operator
 * does (server-side apply, its field manager), reads each object back, trims its managedFields the
 * way the operator's cache does, and asks the operator's matcher. A mismatch prints JOSDK's diff.
 */
@SimulatedClusterTest(rookCrds = true)
class AppliedObjectsMatchIT {

  @Test
  void everyRenderedObjectMatchesWhatTheServerStored(TestCluster cluster) {
    KubernetesClient client = cluster.client();
    var matcherLog =
        (ch.qos.logback.classic.Logger)
            LoggerFactory.getLogger(SSABasedGenericKubernetesResourceMatcher.class);
    matcherLog.setLevel(Level.DEBUG);
    Context<HomeCluster> context = context(client);
    List<String> differing = new ArrayList<>();
    int compared = 0;
    for (String example : List.of("home", "one-box-lab")) {
      HomeCluster hc = Examples.load(example);
      List<HasMetadata> rendered =
          new Renderer()
              .render(new RenderContext(hc, Map.of(Names.RUNTIME_SECRETS_HASH, "0")))
              .objects();
      List<HasMetadata> applied = new ArrayList<>();
      try {
        // Namespaces the rendering uses but leaves to others (rook-ceph: Rook's chart).
        rendered.stream()
            .map(o -> o.getMetadata().getNamespace())
            .filter(ns -> ns != null && client.namespaces().withName(ns).get() == null)
            .distinct()
            .forEach(ns -> client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).serverSideApply());
        for (HasMetadata o : rendered) {
          if (o instanceof Node) {
            continue; // the operator applies only labels to Nodes, compared in its own test
          }
          client.resource(o).fieldManager(Names.OPERATOR).forceConflicts().serverSideApply();
          if (!(o instanceof Namespace)) {
            applied.add(o);
          }
        }
        for (HasMetadata desired : applied) {
          HasMetadata stored = client.resource(desired).get();
          CacheTransforms.ownManagedFieldsOnly(stored);
          compared++;
          if (!DefaultingMatcher.INSTANCE.matches(stored, desired, context)) {
            differing.add(example + ": " + desired.getKind() + " " + desired.getMetadata().getName());
          }
        }
      } finally {
        for (HasMetadata o : applied) {
          client.resource(o).withGracePeriod(0).delete();
        }
        // The cluster is shared: the next test must not meet a terminating claim or volume.
        for (HasMetadata o : applied) {
          Eventually.await(describe(o) + " gone", Duration.ofSeconds(60), () -> client.resource(o).get(), java.util.Objects::isNull);
        }
        matcherLog.setLevel(null);
      }
    }
    assertThat(compared).as("objects compared").isGreaterThan(50);
    assertThat(differing)
        .as("objects the operator would re-apply although nothing changed (diffs in the log)")
        .isEmpty();
  }

  private static String describe(HasMetadata o) {
    return o.getKind() + " " + o.getMetadata().getName();
  }

  /** The two things the matcher reads from a reconcile's context: the client and the field manager. */
  @SuppressWarnings("unchecked")
  static Context<HomeCluster> context(KubernetesClient client) {
    ControllerConfiguration<HomeCluster> configuration =
        (ControllerConfiguration<HomeCluster>)
            Proxy.newProxyInstance(
                AppliedObjectsMatchIT.class.getClassLoader(),
                new Class<?>[] {ControllerConfiguration.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("fieldManager")) {
                    return Names.OPERATOR;
                  }
                  throw new UnsupportedOperationException(method.getName());
                });
    return (Context<HomeCluster>)
        Proxy.newProxyInstance(
            AppliedObjectsMatchIT.class.getClassLoader(),
            new Class<?>[] {Context.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getClient" -> client;
                  case "getControllerConfiguration" -> configuration;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
