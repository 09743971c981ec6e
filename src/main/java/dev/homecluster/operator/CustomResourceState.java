package dev.homecluster.operator;

import dev.homecluster.render.Labels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An owned custom resource whose own operator reports readiness (a Rook CephCluster, say): ready
 * when its {@code status.phase} is Ready or its Ready condition is True.
 *
 * @param component its app.kubernetes.io/component label
 * @param kind its kind
 * @param namespace its namespace, or null when cluster-scoped
 * @param name its name
 * @param ready whether its operator says it is ready
 * @param detail what the status says, for messages
 */
public record CustomResourceState(
    String component, String kind, String namespace, String name, boolean ready, String detail) {

  public String describe() {
    return kind + " " + (namespace == null ? "" : namespace + "/") + name + ": " + detail;
  }

  @SuppressWarnings("unchecked")
  public static CustomResourceState of(GenericKubernetesResource resource) {
    Map<String, String> labels = resource.getMetadata().getLabels();
    String component = labels == null ? "" : Objects.requireNonNullElse(labels.get(Labels.COMPONENT), "");
    Object status = resource.getAdditionalProperties().get("status");
    boolean ready = false;
    String detail = "no status yet";
    if (status instanceof Map<?, ?> map) {
      Object phase = map.get("phase");
      if (phase != null) {
        detail = "phase " + phase;
        ready = "Ready".equals(phase);
      }
      Object conditions = map.get("conditions");
      if (conditions instanceof List<?> list) {
        for (Object c : list) {
          if (c instanceof Map<?, ?> cond && "Ready".equals(cond.get("type"))) {
            ready = "True".equals(cond.get("status"));
            detail = "Ready=" + cond.get("status") + (cond.get("message") == null ? "" : " (" + cond.get("message") + ")");
          }
        }
      }
    }
    return new CustomResourceState(
        component,
        resource.getKind(),
        resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(),
        ready,
        detail);
  }
}
