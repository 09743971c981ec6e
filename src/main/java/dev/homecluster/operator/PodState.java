package dev.homecluster.operator;

import dev.homecluster.render.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Objects;

/**
 * One pod of an owned workload, as far as the status needs it.
 *
 * @param component its app.kubernetes.io/component label
 * @param nodeName where it runs; empty while unscheduled
 * @param ready whether it is Running with its Ready condition True
 */
public record PodState(String component, String nodeName, boolean ready) {

  public static PodState of(Pod pod) {
    String component =
        pod.getMetadata().getLabels() == null
            ? ""
            : Objects.requireNonNullElse(pod.getMetadata().getLabels().get(Labels.COMPONENT), "");
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    boolean running = pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
    boolean ready =
        running
            && pod.getStatus().getConditions() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    return new PodState(component, node == null ? "" : node, ready);
  }
}
