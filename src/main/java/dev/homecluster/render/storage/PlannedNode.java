package dev.homecluster.render.storage;

import io.fabric8.kubernetes.api.model.Taint;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A node as the planner sees it.
 *
 * @param index position in spec.nodes, for field paths
 * @param name the node's name (its kubernetes.io/hostname)
 * @param labels its labels, role labels included
 * @param taints its taints
 * @param cpuAllocatable CPU cores pods may request, or null when unknown
 * @param memoryAllocatable bytes pods may request, or null when unknown
 * @param allocatableSource where the allocatable came from: "node" (observed) or "spec" (declared)
 */
public record PlannedNode(
    int index,
    String name,
    Map<String, String> labels,
    List<Taint> taints,
    BigDecimal cpuAllocatable,
    BigDecimal memoryAllocatable,
    String allocatableSource) {
  public PlannedNode {
    labels = Map.copyOf(labels);
    taints = List.copyOf(taints);
  }
}
