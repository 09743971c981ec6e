package dev.homecluster.chart;

import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a ServiceAccount may do according to a set of RBAC objects, decided the way the API server's
 * RBAC authorizer decides it (rules are unions; "*" matches anything; resourceNames restrict).
 * Lets a unit test ask "may the operator do X" of the chart's rendered RBAC.
 */
final class Permissions {
  /** One API request: namespace null for cluster-scoped objects and cluster-wide lists. */
  record Request(String namespace, String group, String resource, String verb, String name) {
    @Override
    public String toString() {
      return verb
          + " "
          + (group.isEmpty() ? "" : group + "/")
          + resource
          + (name == null ? "" : " " + name)
          + (namespace == null ? "" : " in " + namespace);
    }
  }

  private final List<PolicyRule> clusterWide = new ArrayList<>();
  private final Map<String, List<PolicyRule>> perNamespace = new HashMap<>();

  /** The permissions of serviceAccount in saNamespace from the bindings among objects. */
  static Permissions of(List<HasMetadata> objects, String saNamespace, String serviceAccount) {
    Permissions permissions = new Permissions();
    for (ClusterRoleBinding binding : ChartFixture.all(objects, ClusterRoleBinding.class)) {
      if (binds(binding.getSubjects(), saNamespace, serviceAccount)) {
        permissions.clusterWide.addAll(rulesOf(objects, binding.getRoleRef(), null));
      }
    }
    for (RoleBinding binding : ChartFixture.all(objects, RoleBinding.class)) {
      if (binds(binding.getSubjects(), saNamespace, serviceAccount)) {
        String namespace = binding.getMetadata().getNamespace();
        permissions
            .perNamespace
            .computeIfAbsent(namespace, n -> new ArrayList<>())
            .addAll(rulesOf(objects, binding.getRoleRef(), namespace));
      }
    }
    return permissions;
  }

  /** Every rule bound anywhere: cluster-wide and in each namespace. */
  List<PolicyRule> allRules() {
    List<PolicyRule> all = new ArrayList<>(clusterWide);
    perNamespace.values().forEach(all::addAll);
    return all;
  }

  List<PolicyRule> clusterWideRules() {
    return List.copyOf(clusterWide);
  }

  boolean allows(Request request) {
    if (clusterWide.stream().anyMatch(rule -> matches(rule, request))) {
      return true;
    }
    return request.namespace() != null
        && perNamespace.getOrDefault(request.namespace(), List.of()).stream()
            .anyMatch(rule -> matches(rule, request));
  }

  /**
   * The requests a rule would grant that these permissions do not allow: what the API server's
   * escalation check refuses when one creates a role carrying that rule (namespace null: cluster
   * wide).
   */
  List<Request> missingToGrant(PolicyRule rule, String namespace) {
    List<Request> missing = new ArrayList<>();
    List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
        ? java.util.Collections.singletonList(null)
        : rule.getResourceNames();
    for (String group : rule.getApiGroups()) {
      for (String resource : rule.getResources()) {
        for (String verb : rule.getVerbs()) {
          for (String name : names) {
            Request request = new Request(namespace, group, resource, verb, name);
            if (!allows(request)) {
              missing.add(request);
            }
          }
        }
      }
    }
    return missing;
  }

  /** The API group and resource (plural) of an object. */
  static String[] groupAndResource(HasMetadata object) {
    String apiVersion = object.getApiVersion();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String resource =
        object instanceof GenericKubernetesResource
            ? Pluralize.toPlural(object.getKind().toLowerCase(Locale.ROOT))
            : HasMetadata.getPlural(object.getClass());
    return new String[] {group, resource};
  }

  private static boolean binds(List<Subject> subjects, String namespace, String name) {
    return subjects != null
        && subjects.stream()
            .anyMatch(
                s ->
                    "ServiceAccount".equals(s.getKind())
                        && name.equals(s.getName())
                        && namespace.equals(s.getNamespace()));
  }

  private static List<PolicyRule> rulesOf(List<HasMetadata> objects, RoleRef ref, String namespace) {
    if ("ClusterRole".equals(ref.getKind())) {
      return ChartFixture.all(objects, ClusterRole.class).stream()
          .filter(r -> r.getMetadata().getName().equals(ref.getName()))
          .flatMap(r -> r.getRules().stream())
          .toList();
    }
    return ChartFixture.all(objects, Role.class).stream()
        .filter(r -> r.getMetadata().getName().equals(ref.getName()))
        .filter(r -> r.getMetadata().getNamespace().equals(namespace))
        .flatMap(r -> r.getRules().stream())
        .toList();
  }

  private static boolean matches(PolicyRule rule, Request request) {
    return covers(rule.getApiGroups(), request.group())
        && coversResource(rule.getResources(), request.resource())
        && covers(rule.getVerbs(), request.verb())
        && (rule.getResourceNames() == null
            || rule.getResourceNames().isEmpty()
            || (request.name() != null && rule.getResourceNames().contains(request.name())));
  }

  private static boolean covers(List<String> held, String wanted) {
    return held != null && (held.contains("*") || held.contains(wanted));
  }

  private static boolean coversResource(List<String> held, String wanted) {
    if (covers(held, wanted)) {
      return true;
    }
    int slash = wanted.indexOf('/');
    return held != null && slash > 0 && held.contains(wanted.substring(0, slash) + "/*");
  }
}
