package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodCheckpointerDaemonSetTest {
  private final List<HasMetadata> home = Rendered.component(Examples.HOME, Names.POD_CHECKPOINTER);

  @Test
  void runsOnlyOnMastersOnTheHostNetwork() {
    PodSpec pod = Rendered.find(home, DaemonSet.class, Names.POD_CHECKPOINTER).getSpec().getTemplate().getSpec();

    assertThat(pod.getNodeSelector()).isEqualTo(Map.of("node-role.kubernetes.io/control-plane", ""));
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getHostPath() != null)
        .extracting(v -> v.getHostPath().getPath())
        .containsExactlyInAnyOrder("/etc/kubernetes/manifests", "/etc/kubernetes/checkpoints");
  }

  @Test
  void shipsTheScriptItWasTestedWith() {
    assertThat(Rendered.find(home, ConfigMap.class, Names.POD_CHECKPOINTER).getData())
        .containsEntry(PodCheckpointerDaemonSet.SCRIPT, PodScript.text(PodCheckpointerDaemonSet.SCRIPT));
  }

  @Test
  void mayReadOnlyTheSecretsTheApiserverMounts() {
    Role role =
        home.stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst().orElseThrow();

    PolicyRule secrets =
        role.getRules().stream().filter(r -> r.getResources().contains("secrets")).findFirst().orElseThrow();
    assertThat(secrets.getVerbs()).containsExactly("get");
    assertThat(secrets.getResourceNames()).containsExactlyInAnyOrderElementsOf(ApiServerDaemonSet.SECRETS);
    assertThat(home).noneMatch(ClusterRoleBinding.class::isInstance);
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("pod-checkpointer/home.yaml", Manifests.toYaml(home));
  }
}
