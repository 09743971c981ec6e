package dev.homecluster.render;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * What one component rendered.
 *
 * @param component the component's name
 * @param requiredApis custom resource kinds ({@code group/version/Kind}) its objects need
 * @param objects the objects, labelled, in apply order
 */
public record ComponentOutput(String component, List<String> requiredApis, List<HasMetadata> objects) {
  public ComponentOutput {
    requiredApis = List.copyOf(requiredApis);
    objects = List.copyOf(objects);
  }
}
