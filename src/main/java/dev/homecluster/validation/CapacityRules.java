package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeCapacity;
import dev.homecluster.api.v1alpha1.NodeSpec;
import java.util.List;

/** Declared node capacities, which the resource planner compares requests against. */
final class CapacityRules implements Rule {
  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    List<NodeSpec> nodes = spec.getNodes() == null ? List.of() : spec.getNodes();
    for (int i = 0; i < nodes.size(); i++) {
      NodeSpec node = nodes.get(i);
      NodeCapacity capacity = node == null ? null : node.getCapacity();
      if (capacity == null) {
        continue;
      }
      String path = "spec.nodes[" + i + "].capacity";
      Quantities.check(path + ".cpu", capacity.getCpu(), problems);
      Quantities.check(path + ".memory", capacity.getMemory(), problems);
    }
  }
}
