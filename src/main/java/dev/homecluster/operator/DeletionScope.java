package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Component;
import dev.homecluster.render.ComponentOutput;
import dev.homecluster.render.Labels;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.validation.Validator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code deletionPolicy: Delete} removes besides the data-bearing objects: the objects of the
 * components whose health does not gate Ready (storage and backups). What Ready needs, the control
 * plane, the endpoint and the node roles, is what the running cluster needs to serve its API, and
 * no policy removes it; nor Namespaces, nor the generated key Secrets (no component renders them).
 */
final class DeletionScope {
  private DeletionScope() {}

  /** Whether a policy of Delete removes the component's objects. */
  static boolean removedByDelete(Component component) {
    Optional<String> condition = ConditionTypes.forComponent(component);
    return condition.isPresent() && !ConditionTypes.gatesReady(condition.get());
  }

  /**
   * The stored objects of the HomeCluster that Delete removes, found from the current spec's
   * rendering (an invalid spec renders nothing: then only the data-bearing objects go). Only
   * objects that exist, carry this HomeCluster's part-of label and are not being deleted already.
   */
  static List<HasMetadata> removedByDelete(Renderer renderer, HomeCluster cluster, KubernetesClient client) {
    if (!new Validator().validate(cluster).isValid()) {
      return List.of();
    }
    Map<String, Component> components = new HashMap<>();
    renderer.components().forEach(c -> components.put(c.name(), c));
    String name = cluster.getMetadata().getName();
    List<HasMetadata> result = new ArrayList<>();
    for (ComponentOutput output : renderer.render(RenderContext.of(cluster)).components()) {
      Component component = components.get(output.component());
      if (component == null || !removedByDelete(component)) {
        continue;
      }
      for (HasMetadata desired : output.objects()) {
        if (!DataBearing.garbageCollected(desired)) {
          continue; // Namespaces are never deleted; data-bearing objects are deleted on their own.
        }
        HasMetadata stored;
        try {
          stored = client.resource(desired).get();
        } catch (KubernetesClientException e) {
          if (e.getCode() == 404) {
            continue; // A kind the cluster does not serve (Rook not installed).
          }
          throw e;
        }
        if (stored != null
            && stored.getMetadata().getDeletionTimestamp() == null
            && stored.getMetadata().getLabels() != null
            && name.equals(stored.getMetadata().getLabels().get(Labels.PART_OF))) {
          result.add(stored);
        }
      }
    }
    return result;
  }
}
