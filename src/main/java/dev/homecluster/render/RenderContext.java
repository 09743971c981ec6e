package dev.homecluster.render;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a component may read: the HomeCluster and the inputs that exist only at run time
 * (for example content hashes of generated Secrets, so pods roll when certificates change).
 * Components never reach outside it.
 *
 * @param cluster the validated HomeCluster
 * @param runtimeInputs values the operator knows at run time, keyed by {@link Names} constants;
 *     empty when rendering for Git
 */
public record RenderContext(HomeCluster cluster, Map<String, String> runtimeInputs) {

  public RenderContext {
    Objects.requireNonNull(cluster, "cluster");
    runtimeInputs = runtimeInputs == null ? Map.of() : Map.copyOf(runtimeInputs);
  }

  /** A context with no run-time inputs, as {@code render} uses. */
  public static RenderContext of(HomeCluster cluster) {
    return new RenderContext(cluster, Map.of());
  }

  public HomeClusterSpec spec() {
    return cluster.getSpec();
  }

  /** The HomeCluster's name, used in labels and some object names. */
  public String clusterName() {
    return cluster.getMetadata().getName();
  }

  /** The nodes that hold a role, in spec order. */
  public List<NodeSpec> nodesWith(Role role) {
    return spec().getNodes().stream().filter(n -> n.has(role)).toList();
  }

  public List<NodeSpec> masters() {
    return nodesWith(Role.MASTER);
  }

  public List<NodeSpec> workers() {
    return nodesWith(Role.WORKER);
  }

  /** A run-time input, or the fallback when rendering without a cluster. */
  public String runtimeInput(String key, String fallback) {
    return runtimeInputs.getOrDefault(key, fallback);
  }
}
