package dev.homecluster.sim;

import dev.homecluster.api.v1alpha1.NodeCapacity;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One fake Node of the simulated cluster: what the kubelet of that machine would register, plus the
 * kwok annotation that hands the Node to the kwok controller, which then plays its kubelet (Ready
 * condition, lease heartbeats, pods Running).
 *
 * <p>Capacity, unless given: workers 4 CPU / 16Gi (ECS Liva Z), backup 2 CPU / 8Gi (ASRock
 * J3160-ITX), masters 4 CPU / 4Gi (Minnowboard Turbot), 110 pods and 100Gi ephemeral storage each.
 * A node with several roles takes the first of worker, backup, master. The same table is in
 * src/sim/cmd/simctl/nodes.go for {@code simctl up --node}.
 *
 * @param name Node name, also its {@code kubernetes.io/hostname} label
 * @param address the InternalIP address
 * @param roles each becomes a {@code node-role.kubernetes.io/<role>} label, as the operator's
 *     NodeRoles would set it
 * @param cpu CPU capacity
 * @param memory memory capacity
 */
public record FakeNode(
    String name, String address, List<Role> roles, Quantity cpu, Quantity memory) {
  /** The annotation the kwok controller selects the Nodes it manages by. */
  public static final String KWOK_ANNOTATION = "kwok.x-k8s.io/node";

  public static final String KWOK_ANNOTATION_VALUE = "fake";

  public FakeNode {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    roles = List.copyOf(roles);
    Objects.requireNonNull(cpu, "cpu");
    Objects.requireNonNull(memory, "memory");
  }

  /** A node with the default capacity of its roles. */
  public static FakeNode of(String name, String address, Role... roles) {
    List<Role> list = List.of(roles);
    return new FakeNode(name, address, list, defaultCpu(list), defaultMemory(list));
  }

  /** The fake Node for one machine of a HomeCluster spec; its declared capacity wins. */
  public static FakeNode from(NodeSpec spec) {
    List<Role> roles = spec.getRoles() == null ? List.of() : spec.getRoles();
    NodeCapacity declared = spec.getCapacity();
    Quantity cpu =
        declared != null && declared.getCpu() != null ? declared.getCpu() : defaultCpu(roles);
    Quantity memory =
        declared != null && declared.getMemory() != null
            ? declared.getMemory()
            : defaultMemory(roles);
    return new FakeNode(spec.getName(), spec.getAddress(), roles, cpu, memory);
  }

  static Quantity defaultCpu(List<Role> roles) {
    return new Quantity(roles.contains(Role.WORKER) || !roles.contains(Role.BACKUP) ? "4" : "2");
  }

  static Quantity defaultMemory(List<Role> roles) {
    if (roles.contains(Role.WORKER)) {
      return new Quantity("16Gi");
    }
    if (roles.contains(Role.BACKUP)) {
      return new Quantity("8Gi");
    }
    return roles.contains(Role.MASTER) ? new Quantity("4Gi") : new Quantity("16Gi");
  }

  /** The Node object, status included: the API server keeps a Node's status on create. */
  public Node toNode() {
    Map<String, String> labels = new TreeMap<>();
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("beta.kubernetes.io/os", "linux");
    labels.put("beta.kubernetes.io/arch", "amd64");
    for (Role role : roles) {
      labels.put(dev.homecluster.render.Placement.roleLabel(role), "");
    }
    Map<String, Quantity> resources = new TreeMap<>();
    resources.put("cpu", cpu);
    resources.put("memory", memory);
    resources.put("pods", new Quantity("110"));
    resources.put("ephemeral-storage", new Quantity("100Gi"));
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .addToAnnotations(KWOK_ANNOTATION, KWOK_ANNOTATION_VALUE)
        .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
        .endMetadata()
        .withNewStatus()
        .withAddresses(new NodeAddress(address, "InternalIP"), new NodeAddress(name, "Hostname"))
        .withCapacity(resources)
        .withAllocatable(resources)
        .endStatus()
        .build();
  }
}
