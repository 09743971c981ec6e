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
 * reconcile, and be re-applied every time.
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
    return actualMap.equals(desiredMap);
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
