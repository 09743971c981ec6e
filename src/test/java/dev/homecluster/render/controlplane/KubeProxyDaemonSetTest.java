package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeProxyDaemonSetTest {
  private final List<HasMetadata> home = Rendered.component(Examples.HOME, Names.KUBE_PROXY);

  @Test
  @SuppressWarnings("unchecked")
  void masqueradesTrafficFromOutsideThePodNetworkInIptablesMode() {
    ConfigMap config = Rendered.find(home, ConfigMap.class, Names.KUBE_PROXY);

    Map<String, Object> configuration = Serialization.unmarshal(config.getData().get(KubeProxyConfig.CONFIG_FILE), Map.class);

    assertThat(configuration)
        .containsEntry("kind", "KubeProxyConfiguration")
        .containsEntry("clusterCIDR", "10.244.0.0/16")
        .containsEntry("mode", "iptables");
  }

  @Test
  @SuppressWarnings("unchecked")
  void reachesTheApiThroughTheVip() {
    ConfigMap config = Rendered.find(home, ConfigMap.class, Names.KUBE_PROXY);

    Map<String, Object> kubeconfig = Serialization.unmarshal(config.getData().get(KubeProxyConfig.KUBECONFIG_FILE), Map.class);

    List<Map<String, Map<String, String>>> clusters = (List<Map<String, Map<String, String>>>) kubeconfig.get("clusters");
    assertThat(clusters.get(0).get("cluster")).containsEntry("server", "https://192.168.1.100:8443");
  }

  @Test
  void runsEverywhereBoundToTheNodeProxierRole() {
    DaemonSet ds = Rendered.find(home, DaemonSet.class, Names.KUBE_PROXY);

    assertThat(ds.getSpec().getTemplate().getSpec().getNodeSelector()).isNullOrEmpty();
    assertThat(ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.k8s.io/kube-proxy:v1.34.2");
    assertThat(home)
        .filteredOn(ClusterRoleBinding.class::isInstance)
        .map(ClusterRoleBinding.class::cast)
        .extracting(b -> b.getRoleRef().getName())
        .containsExactly("system:node-proxier");
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("kube-proxy/home.yaml", Manifests.toYaml(home));
  }
}
