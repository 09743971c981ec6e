package dev.homecluster.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.SSABasedGenericKubernetesResourceMatcher;
import java.util.List;
import java.util.Map;

/**
 * JOSDK's server-side-apply matcher, with the API server's defaults inside atomic structs filled
 * into the desired object first. For an atomic struct the managedFields name only the struct, so
 * the matcher compares it whole, defaults included: a rendered {@code fieldRef} without {@code
 * apiVersion} would differ from the stored one (which has {@code apiVersion: v1}) on every
 * reconcile, and be re-applied every time. Empty optional strings, which the server does not
 * store, are dropped on both sides. {@code AppliedObjectsMatchIT} checks every rendered kind
 * against a real API server.
 */
final class DefaultingMatcher extends SSABasedGenericKubernetesResourceMatcher<HasMetadata> {
  static final DefaultingMatcher INSTANCE = new DefaultingMatcher();

  @Override
  protected boolean matches(
      Map<String, Object> actualMap,
      Map<String, Object> desiredMap,
      HasMetadata actual,
      HasMetadata desired,
      Context<?> context) {
    fillDefaults(desiredMap);
    dropEmpty(actualMap);
    dropEmpty(desiredMap);
    return actualMap.equals(desiredMap);
  }

  /**
   * Removes map entries whose value is null or the empty string. The API server omits empty
   * optional strings ({@code omitempty}), so a rendered {@code storageClassName: ""} (a
   * PersistentVolume of no class) is stored as no field at all, while the managedFields still
   * name it and the pruned actual map holds it as null.
   */
  static void dropEmpty(Object node) {
    if (node instanceof Map<?, ?> map) {
      map.values().removeIf(v -> v == null || "".equals(v));
      map.values().forEach(DefaultingMatcher::dropEmpty);
    } else if (node instanceof List<?> list) {
      list.forEach(DefaultingMatcher::dropEmpty);
    }
  }

  /** Fills {@code fieldRef.apiVersion: v1} wherever a fieldRef lacks it. */
  @SuppressWarnings("unchecked")
  static void fillDefaults(Object node) {
    if (node instanceof Map<?, ?> map) {
      Object fieldRef = map.get("fieldRef");
      if (fieldRef instanceof Map<?, ?> ref && !ref.containsKey("apiVersion")) {
        ((Map<String, Object>) ref).put("apiVersion", "v1");
      }
      map.values().forEach(DefaultingMatcher::fillDefaults);
    } else if (node instanceof List<?> list) {
      list.forEach(DefaultingMatcher::fillDefaults);
    }
  }
}
