package dev.homecluster.operator;

import io.fabric8.kubernetes.api.model.Node;
import java.util.Objects;

/**
 * Which Node updates are worth a reconcile: labels, taints or readiness changed. Heartbeats that
 * only move timestamps are not.
 */
final class NodeChange {
  private NodeChange() {}

  static boolean relevant(Node before, Node after) {
    if (before == null || after == null) {
      return true;
    }
    return !Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())
        || !Objects.equals(taints(before), taints(after))
        || NodeState.of(before).ready() != NodeState.of(after).ready();
  }

  private static Object taints(Node node) {
    return node.getSpec() == null ? null : node.getSpec().getTaints();
  }
}
