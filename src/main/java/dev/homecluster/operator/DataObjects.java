package dev.homecluster.operator;

import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The data-bearing objects of one HomeCluster as they exist in the cluster, found by label (not
 * by rendering, so objects of an older spec are found too) in the namespaces the operator manages,
 * and deleted on request. Kinds whose API is not served are skipped.
 */
final class DataObjects {
  private final KubernetesClient client;
  private final Map<String, String> selector;

  DataObjects(KubernetesClient client, String clusterName) {
    this.client = client;
    this.selector = Map.of(Labels.MANAGED_BY, Names.OPERATOR, Labels.PART_OF, clusterName);
  }

  List<HasMetadata> list() {
    List<HasMetadata> result = new ArrayList<>();
    ApiDiscovery discovery = new ApiDiscovery(client);
    for (Map.Entry<String, String> kind : DataBearing.API_VERSIONS.entrySet()) {
      String apiVersion = kind.getValue();
      if (!apiVersion.equals("v1") && !discovery.missing(List.of(apiVersion + "/" + kind.getKey())).isEmpty()) {
        continue;
      }
      if (kind.getKey().equals("PersistentVolume")) {
        result.addAll(client.genericKubernetesResources(apiVersion, kind.getKey()).withLabels(selector).list().getItems());
        continue;
      }
      // Namespaced kinds only where the operator writes (and may read) them.
      for (String namespace : WatchedNamespaces.all()) {
        List<GenericKubernetesResource> items =
            client.genericKubernetesResources(apiVersion, kind.getKey()).inNamespace(namespace).withLabels(selector)
                .list().getItems();
        result.addAll(items);
      }
    }
    return result;
  }

  void delete(HasMetadata object) {
    try {
      client.resource(object).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }
}
