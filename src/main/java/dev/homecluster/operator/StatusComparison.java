package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;

/** Whether two statuses are the same as the API server would store them (the POJOs have no equals). */
public final class StatusComparison {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private StatusComparison() {}

  public static boolean same(HomeClusterStatus a, HomeClusterStatus b) {
    return asMap(a).equals(asMap(b));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(HomeClusterStatus status) {
    if (status == null) {
      return Map.of();
    }
    Map<String, Object> map = SERIALIZATION.convertValue(status, Map.class);
    // An empty list and no list serialize differently but mean the same to a reader.
    map.values().removeIf(v -> v instanceof java.util.Collection<?> c && c.isEmpty());
    return map;
  }
}
