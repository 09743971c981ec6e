package dev.homecluster.operator;

import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The taints of a Node after the operator's edit: taints of the keys the operator manages become
 * exactly the desired ones, every other taint (not-ready, unreachable, a human's cordon) stays.
 * Node taints are an atomic list for server-side apply, so applying ours would wipe the others:
 * hence an edit.
 */
public final class NodeTaints {
  private NodeTaints() {}

  /**
   * @param actual the Node's taints now
   * @param desired the rendered taints
   * @param managedKeys the keys the operator owns
   * @return the new list, or empty when nothing changes
   */
  public static Optional<List<Taint>> reconcile(
      List<Taint> actual, List<Taint> desired, Set<String> managedKeys) {
    List<Taint> current = actual == null ? List.of() : actual;
    List<Taint> wanted = desired == null ? List.of() : desired;
    List<Taint> result = new ArrayList<>();
    for (Taint t : current) {
      if (!managedKeys.contains(t.getKey())) {
        result.add(t);
      }
    }
    result.addAll(wanted);
    boolean same =
        current.size() == result.size()
            && current.stream().allMatch(t -> result.stream().anyMatch(r -> sameTaint(r, t)));
    return same ? Optional.empty() : Optional.of(result);
  }

  private static boolean sameTaint(Taint a, Taint b) {
    return Objects.equals(a.getKey(), b.getKey())
        && Objects.equals(a.getValue() == null ? "" : a.getValue(), b.getValue() == null ? "" : b.getValue())
        && Objects.equals(a.getEffect(), b.getEffect());
  }
}
