package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.NodeCapacity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import java.util.Optional;

/** What a registered Node offers to pods, as the resource planner compares it. */
final class NodeAllocatable {
  private NodeAllocatable() {}

  /** The Node's allocatable cpu and memory; empty while its kubelet has not reported them. */
  static Optional<NodeCapacity> of(Node node) {
    if (node.getStatus() == null || node.getStatus().getAllocatable() == null) {
      return Optional.empty();
    }
    Map<String, Quantity> allocatable = node.getStatus().getAllocatable();
    Quantity cpu = allocatable.get("cpu");
    Quantity memory = allocatable.get("memory");
    if (cpu == null && memory == null) {
      return Optional.empty();
    }
    return Optional.of(new NodeCapacity(cpu, memory));
  }
}
