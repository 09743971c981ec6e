package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdInstallerDaemonSetTest {
  private final List<HasMetadata> home = Rendered.component(Examples.HOME, Names.ETCD_INSTALLER);

  private DaemonSet daemonSet(List<HasMetadata> objects) {
    return Rendered.find(objects, DaemonSet.class, Names.ETCD_INSTALLER);
  }

  private ConfigMap configMap(List<HasMetadata> objects) {
    return Rendered.find(objects, ConfigMap.class, Names.ETCD_INSTALLER);
  }

  @Test
  void runsOnlyOnMastersDespiteTheirTaint() {
    PodSpec pod = daemonSet(home).getSpec().getTemplate().getSpec();

    assertThat(pod.getNodeSelector()).isEqualTo(Map.of("node-role.kubernetes.io/control-plane", ""));
    assertThat(pod.getTolerations()).containsAll(Placement.controlPlaneTolerations());
  }

  @Test
  void shipsEveryMastersManifestAndTheScriptInItsConfigMap() {
    Map<String, String> data = configMap(home).getData();

    assertThat(data).containsOnlyKeys("master-1.yaml", "master-2.yaml", "master-3.yaml", EtcdInstallerDaemonSet.SCRIPT);
    assertThat(data.get(EtcdInstallerDaemonSet.SCRIPT))
        .isEqualTo(PodScript.text(EtcdInstallerDaemonSet.SCRIPT));
    Pod master2 = Serialization.unmarshal(data.get("master-2.yaml"), Pod.class);
    assertThat(master2.getSpec().getContainers().get(0).getCommand()).contains("--name=master-2");
  }

  @Test
  void mountsTheMemberSecretAndWritesToTheHostPaths() {
    PodSpec pod = daemonSet(home).getSpec().getTemplate().getSpec();

    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .singleElement()
        .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(Names.ETCD_MEMBERS_SECRET));
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getHostPath() != null)
        .extracting(v -> v.getHostPath().getPath())
        .containsExactlyInAnyOrder(
            "/etc/kubernetes/manifests", "/etc/kubernetes/pki/etcd", "/etc/kubernetes/manifests-backup");
    assertThat(pod.getContainers().get(0).getEnv())
        .anySatisfy(e -> {
          assertThat(e.getName()).isEqualTo("NODE_NAME");
          assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });
  }

  @Test
  void noRunTimeInputChangesAnEtcdManifestAndTheInstallerRollsOneMasterAtATime() {
    // render (no run-time input) and the operator's first reconcile (the Secrets' hash) must write
    // the same manifests, or the first reconcile restarts etcd; each member's hash of its own
    // files is filled in by the installer.
    var forGit = new EtcdInstallerDaemonSet().render(RenderContext.of(Examples.load(Examples.HOME)));
    var atRunTime =
        new EtcdInstallerDaemonSet()
            .render(new RenderContext(Examples.load(Examples.HOME), Map.of(Names.RUNTIME_SECRETS_HASH, "hash-2")));

    assertThat(configMap(atRunTime).getData()).isEqualTo(configMap(forGit).getData());
    Pod master1 = Serialization.unmarshal(configMap(atRunTime).getData().get("master-1.yaml"), Pod.class);
    assertThat(master1.getMetadata().getAnnotations())
        .containsEntry(Names.INPUT_HASH_ANNOTATION, EtcdStaticPod.MEMBER_FILES_HASH_PLACEHOLDER);
    assertThat(master1.getSpec().getContainers().get(0).getCommand()).contains("--initial-cluster-token=home");
    DaemonSet ds = daemonSet(atRunTime);
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
    // The next master waits until this one's etcd is ready again.
    assertThat(ds.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().getExec().getCommand())
        .contains("http://127.0.0.1:2381/readyz");
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("etcd-installer/home.yaml", Manifests.toYaml(home));
  }
}
