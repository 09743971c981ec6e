package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlannelDaemonSetTest {
  private final List<HasMetadata> home = Rendered.component(Examples.HOME, Names.FLANNEL);

  @Test
  void flannelUsesThePodCidr() throws Exception {
    var cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getNetwork().setPodCIDR("10.42.0.0/16");
    ConfigMap config = Rendered.find(Rendered.component(cluster, Names.FLANNEL), ConfigMap.class, FlannelDaemonSet.CONFIG_MAP);

    JsonNode netConf = new ObjectMapper().readTree(config.getData().get("net-conf.json"));

    assertThat(netConf.get("Network").asText()).isEqualTo("10.42.0.0/16");
    assertThat(netConf.at("/Backend/Type").asText()).isEqualTo("vxlan");
    JsonNode cni = new ObjectMapper().readTree(config.getData().get("cni-conf.json"));
    assertThat(cni.get("plugins").get(0).get("type").asText()).isEqualTo("flannel");
  }

  @Test
  void aPodCidrChangeRollsFlannel() {
    var cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getNetwork().setPodCIDR("10.42.0.0/16");
    DaemonSet changed = Rendered.find(Rendered.component(cluster, Names.FLANNEL), DaemonSet.class, Names.FLANNEL);
    DaemonSet before = Rendered.find(home, DaemonSet.class, Names.FLANNEL);

    assertThat(changed.getSpec().getTemplate().getMetadata().getAnnotations().get(Names.INPUT_HASH_ANNOTATION))
        .isNotEqualTo(before.getSpec().getTemplate().getMetadata().getAnnotations().get(Names.INPUT_HASH_ANNOTATION));
  }

  @Test
  void runsOnEveryNodeOnTheHostNetwork() {
    PodSpec pod = Rendered.find(home, DaemonSet.class, Names.FLANNEL).getSpec().getTemplate().getSpec();

    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getTolerations()).anySatisfy(t -> {
      assertThat(t.getOperator()).isEqualTo("Exists");
      assertThat(t.getKey()).isNull();
    });
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getContainers().get(0).getImage()).isEqualTo(FlannelDaemonSet.IMAGE);
    assertThat(pod.getContainers().get(0).getArgs()).contains("--kube-subnet-mgr");
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("kube-flannel/home.yaml", Manifests.toYaml(home));
  }
}
