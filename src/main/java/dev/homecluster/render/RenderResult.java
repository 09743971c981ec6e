package dev.homecluster.render;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** The whole desired state: one output per enabled component, in registration order. */
public record RenderResult(List<ComponentOutput> components) {
  public RenderResult {
    components = List.copyOf(components);
  }

  /** Every object, in apply order (components in order, each component's objects by kind rank). */
  public List<HasMetadata> objects() {
    return components.stream().flatMap(c -> c.objects().stream()).toList();
  }
}
