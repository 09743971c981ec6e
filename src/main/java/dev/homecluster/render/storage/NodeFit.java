package dev.homecluster.render.storage;

import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * Whether a pod may be scheduled on a node, by the rules the scheduler applies before scoring:
 * nodeName, nodeSelector, required node affinity, and taints with effect NoSchedule or NoExecute
 * that the pod must tolerate. Resources are not part of this; the planner adds them up instead.
 *
 * @param nodeName the pod's spec.nodeName, or null
 * @param nodeSelector the pod's nodeSelector (empty when none)
 * @param affinity the pod's node affinity, or null
 * @param tolerations the pod's tolerations
 */
public record NodeFit(
    String nodeName,
    Map<String, String> nodeSelector,
    NodeAffinity affinity,
    List<Toleration> tolerations) {

  public NodeFit {
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
  }

  public boolean fits(PlannedNode node) {
    if (nodeName != null && !nodeName.equals(node.name())) {
      return false;
    }
    for (var entry : nodeSelector.entrySet()) {
      if (!entry.getValue().equals(node.labels().get(entry.getKey()))) {
        return false;
      }
    }
    if (affinity != null
        && affinity.getRequiredDuringSchedulingIgnoredDuringExecution() != null
        && !matchesAnyTerm(
            affinity.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms(),
            node)) {
      return false;
    }
    return node.taints().stream()
        .filter(t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
        .allMatch(t -> tolerations.stream().anyMatch(tol -> tolerates(tol, t)));
  }

  /** The node this fit pins the pod to by name or hostname label, or null. */
  public String pinnedNode() {
    if (nodeName != null) {
      return nodeName;
    }
    return nodeSelector.get(dev.homecluster.render.Labels.HOSTNAME);
  }

  private static boolean matchesAnyTerm(List<NodeSelectorTerm> terms, PlannedNode node) {
    if (terms == null) {
      return false;
    }
    return terms.stream().anyMatch(term -> matches(term, node));
  }

  private static boolean matches(NodeSelectorTerm term, PlannedNode node) {
    List<NodeSelectorRequirement> expressions =
        term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
    List<NodeSelectorRequirement> fields =
        term.getMatchFields() == null ? List.of() : term.getMatchFields();
    if (expressions.isEmpty() && fields.isEmpty()) {
      return false;
    }
    return expressions.stream()
            .allMatch(
                r ->
                    matches(
                        r, node.labels().get(r.getKey()), node.labels().containsKey(r.getKey())))
        && fields.stream()
            .allMatch(r -> "metadata.name".equals(r.getKey()) && matches(r, node.name(), true));
  }

  private static boolean matches(
      NodeSelectorRequirement requirement, String value, boolean present) {
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> present && values.contains(value);
      case "NotIn" -> !present || !values.contains(value);
      case "Exists" -> present;
      case "DoesNotExist" -> !present;
      case "Gt" -> present && compare(value, values) > 0;
      case "Lt" -> present && compare(value, values) < 0;
      default -> false;
    };
  }

  private static int compare(String value, List<String> values) {
    try {
      return Long.compare(Long.parseLong(value), Long.parseLong(values.get(0)));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return 0;
    }
  }

  static boolean tolerates(Toleration toleration, Taint taint) {
    if (toleration.getEffect() != null
        && !toleration.getEffect().isEmpty()
        && !toleration.getEffect().equals(taint.getEffect())) {
      return false;
    }
    boolean exists = "Exists".equals(toleration.getOperator());
    if (toleration.getKey() == null || toleration.getKey().isEmpty()) {
      return exists;
    }
    if (!toleration.getKey().equals(taint.getKey())) {
      return false;
    }
    return exists
        || java.util.Objects.equals(
            emptyToNull(toleration.getValue()), emptyToNull(taint.getValue()));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
