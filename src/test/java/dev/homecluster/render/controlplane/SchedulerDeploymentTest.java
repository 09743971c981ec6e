package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerDeploymentTest {
  private final List<HasMetadata> home = Rendered.component(Examples.HOME, Names.KUBE_SCHEDULER);

  @Test
  void runsTwoLeaderElectedReplicasOnDifferentMasters() {
    Deployment scheduler = Rendered.find(home, Deployment.class, Names.KUBE_SCHEDULER);
    PodSpec pod = scheduler.getSpec().getTemplate().getSpec();

    assertThat(scheduler.getSpec().getReplicas()).isEqualTo(2);
    assertThat(pod.getContainers().get(0).getCommand()).contains("--leader-elect=true");
    assertThat(pod.getNodeSelector()).isEqualTo(Map.of("node-role.kubernetes.io/control-plane", ""));
    assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(term -> assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    assertThat(pod.getContainers().get(0).getImage()).isEqualTo("registry.k8s.io/kube-scheduler:v1.34.2");
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("kube-scheduler/home.yaml", Manifests.toYaml(home));
  }
}
