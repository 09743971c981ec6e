package dev.homecluster.render.nodes;

import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Component;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Role labels and taints of every node: {@code node-role.kubernetes.io/<role>} for each role
 * ({@code node-role.kubernetes.io/control-plane} for the role "master", see {@link
 * Placement#roleLabel}), and the control-plane NoSchedule taint on masters.
 *
 * <p>A master that is also a worker (a one-box lab) is not tainted, or nothing else could run.
 * The operator applies these only to Nodes that already exist; it never creates a Node.
 */
public final class NodeRoles implements Component {

  @Override
  public String name() {
    return Names.NODE_ROLES;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    List<HasMetadata> nodes = new ArrayList<>();
    for (NodeSpec node : ctx.spec().getNodes()) {
      nodes.add(roleNode(node));
    }
    return nodes;
  }

  private static Node roleNode(NodeSpec node) {
    Map<String, String> labels = new TreeMap<>();
    for (Role role : node.getRoles()) {
      labels.put(Placement.roleLabel(role), "");
    }
    List<Taint> taints = new ArrayList<>();
    if (node.has(Role.MASTER) && !node.has(Role.WORKER)) {
      taints.add(
          new TaintBuilder()
              .withKey(Placement.CONTROL_PLANE_TAINT_KEY)
              .withEffect("NoSchedule")
              .build());
    }
    NodeBuilder builder =
        new NodeBuilder().withNewMetadata().withName(node.getName()).withLabels(labels).endMetadata();
    if (!taints.isEmpty()) {
      builder.withNewSpec().withTaints(taints).endSpec();
    }
    return builder.build();
  }
}
