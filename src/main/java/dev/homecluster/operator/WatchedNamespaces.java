package dev.homecluster.operator;

import dev.homecluster.render.Names;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The namespaces where the operator reads and writes namespaced objects: {@link
 * Names#OPERATOR_NAMESPACES}, or the comma-separated list in {@value #ENV} (the chart sets it from
 * {@code rbac.namespaces}, where it also grants a Role in each). Informers of namespaced kinds
 * watch these alone, so the operator needs no cluster-wide read of them.
 */
final class WatchedNamespaces {
  static final String ENV = "HOMECLUSTER_NAMESPACES";

  private static final Set<String> ALL = parse(System.getenv(ENV));

  private WatchedNamespaces() {}

  static Set<String> all() {
    return ALL;
  }

  static Set<String> parse(String value) {
    Set<String> result = new LinkedHashSet<>();
    if (value != null) {
      Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(result::add);
    }
    return result.isEmpty() ? Set.copyOf(new LinkedHashSet<>(Names.OPERATOR_NAMESPACES)) : Set.copyOf(result);
  }
}
