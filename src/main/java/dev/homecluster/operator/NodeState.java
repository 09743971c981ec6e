package dev.homecluster.operator;

import io.fabric8.kubernetes.api.model.Node;

/**
 * A registered Node, as far as the status needs it.
 *
 * @param name the Node's name
 * @param ready whether its Ready condition is True
 */
public record NodeState(String name, boolean ready) {

  public static NodeState of(Node node) {
    boolean ready =
        node.getStatus() != null
            && node.getStatus().getConditions() != null
            && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    return new NodeState(node.getMetadata().getName(), ready);
  }
}
