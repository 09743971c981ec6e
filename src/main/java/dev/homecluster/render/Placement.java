package dev.homecluster.render;

import dev.homecluster.api.v1alpha1.Role;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;

/** Where pods go: node selectors and tolerations shared by components. */
public final class Placement {
  /** The taint masters carry unless they also have the worker role. */
  public static final String CONTROL_PLANE_TAINT_KEY = Labels.NODE_ROLE_PREFIX + "control-plane";

  private Placement() {}

  /**
   * The role label of a node: {@code node-role.kubernetes.io/<role>}, except that masters are
   * {@code node-role.kubernetes.io/control-plane}, the label Kubernetes uses since 1.24 (the API
   * server warns about selectors on the deprecated {@code node-role.kubernetes.io/master}). The
   * spec keeps the word "master" as the role's name.
   */
  public static String roleLabel(Role role) {
    return role == Role.MASTER ? CONTROL_PLANE_TAINT_KEY : Labels.NODE_ROLE_PREFIX + role.value();
  }

  /** Selects the nodes holding a role (the operator labels them, see the node-roles component). */
  public static Map<String, String> nodesWith(Role role) {
    return Map.of(roleLabel(role), "");
  }

  /** Selects exactly one node by name. */
  public static Map<String, String> node(String nodeName) {
    return Map.of(Labels.HOSTNAME, nodeName);
  }

  /** Lets a pod run on masters despite their NoSchedule taint. */
  public static List<Toleration> controlPlaneTolerations() {
    return List.of(
        new TolerationBuilder()
            .withKey(CONTROL_PLANE_TAINT_KEY)
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .build());
  }

  /** Node agents (flannel, kube-proxy, checkpointer) run everywhere, whatever the taints. */
  public static List<Toleration> everywhere() {
    return List.of(new TolerationBuilder().withOperator("Exists").build());
  }
}
