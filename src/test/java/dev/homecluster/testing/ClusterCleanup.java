package dev.homecluster.testing;

import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.sim.Eventually;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes what a HomeCluster leaves behind on purpose, for tests that share one cluster. Deleting a
 * HomeCluster deletes none of its objects (so that it never takes the cluster down), so each test
 * that applied one removes them itself: every object with the operator's managed-by label and the
 * HomeCluster's part-of label, of every kind the renderer makes, and every key Secret the operator
 * manages in kube-system. Namespaces and Nodes stay (Nodes are machines).
 */
public final class ClusterCleanup {
  private ClusterCleanup() {}

  /** Deletes them and waits until they are gone. */
  public static void deleteAll(
      KubernetesClient admin, String clusterName, Renderer renderer, Duration timeout) {
    Map<String, String> labels = Map.of(Labels.MANAGED_BY, Names.OPERATOR, Labels.PART_OF, clusterName);
    Map<String, String> kinds = kinds(renderer);
    Runnable delete =
        () -> {
          kinds.forEach(
              (kind, apiVersion) -> {
                if (served(admin, apiVersion, kind)) {
                  admin.genericKubernetesResources(apiVersion, kind).inAnyNamespace().withLabels(labels).delete();
                }
              });
          admin.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withLabel(Labels.MANAGED_BY, Names.OPERATOR).delete();
        };
    delete.run();
    Eventually.await(
        "every object of HomeCluster " + clusterName + " gone",
        timeout,
        () -> {
          int left = 0;
          for (Map.Entry<String, String> kind : kinds.entrySet()) {
            if (served(admin, kind.getValue(), kind.getKey())) {
              left += admin.genericKubernetesResources(kind.getValue(), kind.getKey()).inAnyNamespace()
                  .withLabels(labels).list().getItems().size();
            }
          }
          return left + admin.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE)
              .withLabel(Labels.MANAGED_BY, Names.OPERATOR).list().getItems().size();
        },
        n -> n == 0);
  }

  /** Kind to apiVersion of everything the renderer makes for the examples, but Namespaces and Nodes. */
  private static Map<String, String> kinds(Renderer renderer) {
    Map<String, String> kinds = new LinkedHashMap<>();
    for (String example : List.of(Examples.HOME, Examples.ONE_BOX_LAB)) {
      for (HasMetadata o : renderer.render(RenderContext.of(Examples.load(example))).objects()) {
        if (!o.getKind().equals("Namespace") && !o.getKind().equals("Node")) {
          kinds.putIfAbsent(o.getKind(), o.getApiVersion());
        }
      }
    }
    return kinds;
  }

  private static boolean served(KubernetesClient admin, String apiVersion, String kind) {
    var resources = admin.getApiResources(apiVersion);
    return resources != null && resources.getResources().stream().anyMatch(r -> kind.equals(r.getKind()));
  }
}
