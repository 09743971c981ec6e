package dev.homecluster.render;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * One part of what a HomeCluster becomes: a pure function from the spec (and run-time inputs in
 * the {@link RenderContext}) to Kubernetes objects. No client, no clock, no randomness.
 *
 * <p>To add a component: implement this interface in its own package, register it in {@link
 * Renderer#DEFAULT_COMPONENTS}, and give it a test with golden YAML.
 */
public interface Component {

  /** Stable, lowercase name; also the value of the {@code app.kubernetes.io/component} label. */
  String name();

  /** Whether the spec asks for this component at all (for example: backups without a node). */
  default boolean enabled(RenderContext ctx) {
    return true;
  }

  /**
   * Custom resource kinds, as {@code group/version/Kind}, that must be served by the cluster for
   * this component's objects to be applied. The operator skips the component, with a reason,
   * when one is missing (for example Rook's CephCluster).
   */
  default List<String> requiredApis() {
    return List.of();
  }

  /** The objects, in the order they should be applied. */
  List<HasMetadata> render(RenderContext ctx);
}
