package dev.homecluster.render.storage;

import dev.homecluster.api.v1alpha1.NodeResourcePlan;
import dev.homecluster.validation.Problem;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link ResourcePlanner} found: per node, the pods it expects there and their requests
 * against the node's allocatable.
 *
 * @param nodes one plan per node, in spec order
 * @param unplaced replicas that fit no node, in words
 */
public record ResourcePlan(List<NodePlan> nodes, List<String> unplaced) {
  private static final BigDecimal KI = BigDecimal.valueOf(1024);
  private static final BigDecimal MI = KI.multiply(KI);
  private static final BigDecimal GI = MI.multiply(KI);
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

  public ResourcePlan {
    nodes = List.copyOf(nodes);
    unplaced = List.copyOf(unplaced);
  }

  /** One pod's requests: CPU in cores, memory in bytes. */
  public record Pod(String workload, BigDecimal cpu, BigDecimal memory) {}

  /** One node: what is asked of it and what it offers. */
  public record NodePlan(PlannedNode node, List<Pod> pods) {
    public NodePlan {
      pods = List.copyOf(pods);
    }

    public BigDecimal cpuRequested() {
      return pods.stream().map(Pod::cpu).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public BigDecimal memoryRequested() {
      return pods.stream().map(Pod::memory).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public boolean cpuOvercommitted() {
      return node.cpuAllocatable() != null && cpuRequested().compareTo(node.cpuAllocatable()) > 0;
    }

    public boolean memoryOvercommitted() {
      return node.memoryAllocatable() != null
          && memoryRequested().compareTo(node.memoryAllocatable()) > 0;
    }

    /** True or false when the allocatable is known, null when it is not. */
    public Boolean overcommitted() {
      if (node.cpuAllocatable() == null && node.memoryAllocatable() == null) {
        return null;
      }
      return cpuOvercommitted() || memoryOvercommitted();
    }
  }

  /** The plan as status.resourcePlan: Kubernetes quantities, one entry per node. */
  public List<NodeResourcePlan> toStatus() {
    List<NodeResourcePlan> out = new ArrayList<>();
    for (NodePlan plan : nodes) {
      NodeResourcePlan entry = new NodeResourcePlan();
      entry.setNode(plan.node().name());
      entry.setCpuRequested(cpuQuantity(plan.cpuRequested()));
      entry.setMemoryRequested(memoryQuantity(plan.memoryRequested()));
      if (plan.node().cpuAllocatable() != null) {
        entry.setCpuAllocatable(cpuQuantity(plan.node().cpuAllocatable()));
      }
      if (plan.node().memoryAllocatable() != null) {
        entry.setMemoryAllocatable(memoryQuantity(plan.node().memoryAllocatable()));
      }
      entry.setOvercommitted(plan.overcommitted());
      out.add(entry);
    }
    return out;
  }

  /** One warning per overcommitted node (at spec.nodes[i]), and one per unplaced workload. */
  public List<Problem> warnings() {
    List<Problem> out = new ArrayList<>();
    for (NodePlan plan : nodes) {
      if (!Boolean.TRUE.equals(plan.overcommitted())) {
        continue;
      }
      PlannedNode node = plan.node();
      List<String> over = new ArrayList<>();
      if (plan.cpuOvercommitted()) {
        over.add(cores(plan.cpuRequested().subtract(node.cpuAllocatable())) + " CPU");
      }
      if (plan.memoryOvercommitted()) {
        over.add(bytes(plan.memoryRequested().subtract(node.memoryAllocatable())) + " memory");
      }
      out.add(
          Problem.warning(
              "spec.nodes[" + node.index() + "]",
              node.name()
                  + " requests "
                  + cores(plan.cpuRequested())
                  + " CPU of "
                  + (node.cpuAllocatable() == null ? "unknown" : cores(node.cpuAllocatable()))
                  + " and "
                  + bytes(plan.memoryRequested())
                  + " memory of "
                  + (node.memoryAllocatable() == null ? "unknown" : bytes(node.memoryAllocatable()))
                  + " allocatable ("
                  + ("node".equals(node.allocatableSource()) ? "observed" : "declared capacity")
                  + "): overcommitted by "
                  + String.join(" and ", over)));
    }
    for (String missing : unplaced) {
      out.add(Problem.warning("spec.nodes", missing));
    }
    return out;
  }

  /** A table for people: one line per node, then the pods on it. */
  public String table() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "%-16s %-8s %-10s %-10s %-10s %s%n",
            "NODE", "CPU", "OF", "MEMORY", "OF", "OVERCOMMITTED"));
    for (NodePlan plan : nodes) {
      PlannedNode node = plan.node();
      out.append(
          String.format(
              "%-16s %-8s %-10s %-10s %-10s %s%n",
              node.name(),
              cores(plan.cpuRequested()),
              node.cpuAllocatable() == null ? "-" : cores(node.cpuAllocatable()),
              bytes(plan.memoryRequested()),
              node.memoryAllocatable() == null ? "-" : bytes(node.memoryAllocatable()),
              plan.overcommitted() == null ? "unknown" : plan.overcommitted() ? "yes" : "no"));
      for (Pod pod : plan.pods()) {
        out.append(
            String.format(
                "  %-50s %-8s %s%n", pod.workload(), cores(pod.cpu()), bytes(pod.memory())));
      }
    }
    for (String missing : unplaced) {
      out.append("unplaced: ").append(missing).append('\n');
    }
    return out.toString();
  }

  /** Cores for people: 3.5, 4, 0.25. */
  static String cores(BigDecimal cores) {
    return plain(cores.setScale(3, RoundingMode.HALF_UP));
  }

  /** Memory for people: 2Gi, 1.5Gi, 512Mi, 100Ki. */
  static String bytes(BigDecimal bytes) {
    if (bytes.abs().compareTo(GI) >= 0) {
      return plain(bytes.divide(GI, 2, RoundingMode.HALF_UP)) + "Gi";
    }
    if (bytes.abs().compareTo(MI) >= 0) {
      return plain(bytes.divide(MI, 1, RoundingMode.HALF_UP)) + "Mi";
    }
    if (bytes.signum() == 0) {
      return "0";
    }
    return plain(bytes.divide(KI, 0, RoundingMode.HALF_UP)) + "Ki";
  }

  /** Exact CPU quantity: whole cores as 4, else millicores as 3500m. */
  static String cpuQuantity(BigDecimal cores) {
    BigDecimal milli = cores.multiply(THOUSAND).setScale(0, RoundingMode.CEILING);
    return milli.remainder(THOUSAND).signum() == 0
        ? plain(milli.divide(THOUSAND))
        : plain(milli) + "m";
  }

  /** Exact memory quantity in the largest binary unit that divides it: 9Gi, 9728Mi, 1500Ki. */
  static String memoryQuantity(BigDecimal bytes) {
    BigDecimal whole = bytes.setScale(0, RoundingMode.CEILING);
    for (var unit :
        List.of(new Object[] {GI, "Gi"}, new Object[] {MI, "Mi"}, new Object[] {KI, "Ki"})) {
      BigDecimal size = (BigDecimal) unit[0];
      if (whole.signum() != 0 && whole.remainder(size).signum() == 0) {
        return plain(whole.divide(size)) + unit[1];
      }
    }
    return plain(whole);
  }

  private static String plain(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0).toPlainString() : stripped.toPlainString();
  }
}
