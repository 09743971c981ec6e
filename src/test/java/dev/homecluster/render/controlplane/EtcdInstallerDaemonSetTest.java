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
    return Rendered.find(objects, DaemonSet.class, EtcdInstallerDaemonSet.daemonSetName("master-1"));
  }

  @Test
  void eachMastersInstallerRunsOnlyThereAndMountsOnlyItsOwnEtcdKeys() {
    List<DaemonSet> installers = home.stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast).toList();
    assertThat(installers).extracting(d -> d.getMetadata().getName())
        .containsExactly("etcd-installer-master-1", "etcd-installer-master-2", "etcd-installer-master-3");
    for (DaemonSet ds : installers) {
      String node = ds.getMetadata().getName().substring("etcd-installer-".length());
      PodSpec pod = ds.getSpec().getTemplate().getSpec();
      assertThat(pod.getNodeSelector())
          .containsEntry("kubernetes.io/hostname", node)
          .containsEntry("node-role.kubernetes.io/control-plane", "");
      var secret = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow().getSecret();
      assertThat(secret.getItems()).extracting(i -> i.getKey())
          .containsExactly("ca.crt", node + ".server.crt", node + ".server.key", node + ".peer.crt", node + ".peer.key");
      assertThat(secret.getItems()).allSatisfy(i -> assertThat(i.getPath()).isEqualTo(i.getKey()));
      var configMap = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null).findFirst().orElseThrow().getConfigMap();
      assertThat(configMap.getItems()).extracting(i -> i.getKey()).containsExactly(node + ".yaml", EtcdInstallerDaemonSet.SCRIPT);
      // The selectors of the three DaemonSets never match each other's pods.
      assertThat(ds.getSpec().getSelector().getMatchLabels()).containsEntry(EtcdInstallerDaemonSet.MEMBER_LABEL, node);
      assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
          .containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels())
          .containsEntry("app.kubernetes.io/name", Names.ETCD_INSTALLER);
    }
  }

  private ConfigMap configMap(List<HasMetadata> objects) {
    return Rendered.find(objects, ConfigMap.class, Names.ETCD_INSTALLER);
  }

  @Test
  void runsOnlyOnMastersDespiteTheirTaint() {
    PodSpec pod = daemonSet(home).getSpec().getTemplate().getSpec();

    assertThat(pod.getNodeSelector())
        .isEqualTo(Map.of("node-role.kubernetes.io/control-plane", "", "kubernetes.io/hostname", "master-1"));
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
