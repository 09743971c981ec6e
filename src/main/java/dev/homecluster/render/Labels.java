package dev.homecluster.render;

import java.util.Map;
import java.util.TreeMap;

/** The labels every rendered object carries, and the stable selector labels of workloads. */
public final class Labels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String NAME = "app.kubernetes.io/name";
  public static final String NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
  public static final String HOSTNAME = "kubernetes.io/hostname";

  /** Label selector for everything the operator manages, for label-scoped informers. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + Names.OPERATOR;

  private Labels() {}

  /** The labels stamped on every object of a component (sorted, for deterministic output). */
  public static Map<String, String> common(String clusterName, String component) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(MANAGED_BY, Names.OPERATOR);
    labels.put(PART_OF, clusterName);
    labels.put(COMPONENT, component);
    return labels;
  }

  /**
   * Immutable selector labels of a workload's pods. They never include anything that may change
   * (a version, a hash, the HomeCluster's name: a rename adopts the running workloads), because a
   * workload's selector cannot change. One HomeCluster manages a cluster, so the component's name
   * and the operator's managed-by label identify its pods.
   */
  public static Map<String, String> selector(String component) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(NAME, component);
    labels.put(MANAGED_BY, Names.OPERATOR);
    return labels;
  }

  /** Pod template labels: the selector plus the common labels. */
  public static Map<String, String> pod(String clusterName, String component) {
    Map<String, String> labels = new TreeMap<>(common(clusterName, component));
    labels.putAll(selector(component));
    return labels;
  }
}
