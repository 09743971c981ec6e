package dev.homecluster.render.controlplane;

import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * A ServiceAccount in kube-system and its bindings to roles that already exist (the built-in
 * {@code system:*} ClusterRoles, or ones the component renders itself).
 *
 * @param account the ServiceAccount's name
 * @param clusterRoles ClusterRoles bound cluster-wide, each by a binding named {@code
 *     homecluster:<account>:<role without "system:">}
 * @param namespaceRoles Roles in kube-system bound in kube-system
 */
record ControlPlaneRbac(String account, List<String> clusterRoles, List<String> namespaceRoles) {

  List<HasMetadata> objects() {
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(serviceAccount());
    for (String role : clusterRoles) {
      objects.add(clusterRoleBinding(role));
    }
    for (String role : namespaceRoles) {
      objects.add(roleBinding(role));
    }
    return objects;
  }

  private ServiceAccount serviceAccount() {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(account)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .build();
  }

  private String bindingName(String role) {
    return "homecluster:" + account + ":" + role.replaceFirst("^system:+", "");
  }

  private ClusterRoleBinding clusterRoleBinding(String role) {
    return new ClusterRoleBindingBuilder()
        .withNewMetadata()
        .withName(bindingName(role))
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("ClusterRole")
        .withName(role)
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(account)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endSubject()
        .build();
  }

  private RoleBinding roleBinding(String role) {
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withName(bindingName(role))
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("Role")
        .withName(role)
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(account)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endSubject()
        .build();
  }
}
