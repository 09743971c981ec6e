package dev.homecluster.operator;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which custom resource kinds the cluster serves, asked once per group/version per reconcile (a
 * GET each, no watch to keep), so installing Rook later is picked up by the next reconcile.
 */
final class ApiDiscovery {
  private final KubernetesClient client;
  private final Map<String, List<String>> kindsByGroupVersion = new HashMap<>();

  ApiDiscovery(KubernetesClient client) {
    this.client = client;
  }

  /** The APIs of {@code group/version/Kind} form that are not served, in the given order. */
  List<String> missing(List<String> requiredApis) {
    List<String> missing = new ArrayList<>();
    for (String api : requiredApis) {
      int slash = api.lastIndexOf('/');
      String groupVersion = api.substring(0, slash);
      String kind = api.substring(slash + 1);
      if (!kinds(groupVersion).contains(kind)) {
        missing.add(api);
      }
    }
    return missing;
  }

  private List<String> kinds(String groupVersion) {
    return kindsByGroupVersion.computeIfAbsent(
        groupVersion,
        gv -> {
          APIResourceList list = client.getApiResources(gv);
          if (list == null || list.getResources() == null) {
            return List.of();
          }
          return list.getResources().stream().map(r -> r.getKind()).toList();
        });
  }
}
