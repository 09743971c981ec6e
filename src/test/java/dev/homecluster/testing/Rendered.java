package dev.homecluster.testing;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.ComponentOutput;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** Renders through the whole pipeline (validation, labels, ordering), as the operator does. */
public final class Rendered {
  private Rendered() {}

  /** The objects of one component, exactly as the operator would apply them. */
  public static List<HasMetadata> component(HomeCluster cluster, String component) {
    return new Renderer()
        .render(RenderContext.of(cluster)).components().stream()
            .filter(c -> c.component().equals(component))
            .findFirst()
            .map(ComponentOutput::objects)
            .orElse(List.of());
  }

  /** The objects of one component of an example. */
  public static List<HasMetadata> component(String example, String component) {
    return component(Examples.load(example), component);
  }

  /** The first object of a kind and name in a list. */
  public static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name + " in " + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
  }
}
