package dev.homecluster.render.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ApiServerEndpointTest {

  private static List<HasMetadata> render(HomeCluster cluster) {
    return Rendered.component(cluster, Names.ENDPOINT);
  }

  private static DaemonSet daemonSet(List<HasMetadata> objects) {
    return Rendered.find(objects, DaemonSet.class, Names.ENDPOINT);
  }

  private static Container container(DaemonSet ds, String name) {
    return ds.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.homecluster.testing.Examples#all")
  void configMapHoldsBothConfigsVerbatim(String example) {
    HomeCluster cluster = Examples.load(example);
    ConfigMap config = Rendered.find(render(cluster), ConfigMap.class, Names.ENDPOINT);

    assertThat(config.getMetadata().getNamespace()).isEqualTo(Names.CONTROL_PLANE_NAMESPACE);
    assertThat(config.getData())
        .containsEntry("keepalived.conf", KeepalivedConfig.of(RenderContext.of(cluster)).text())
        .containsEntry("haproxy.cfg", HaproxyConfig.of(RenderContext.of(cluster)).text())
        .containsEntry("keepalived-start.sh", ApiServerEndpoint.startScript());
  }

  @Test
  void neverRendersThePasswordOrItsSecret() {
    List<HasMetadata> objects = render(Examples.load(Examples.HOME));

    assertThat(objects).noneMatch(Secret.class::isInstance);
    String yaml = Manifests.toYaml(objects);
    assertThat(yaml).doesNotContainPattern("auth_pass (?!\\$\\{VRRP_AUTH_PASS\\})");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.homecluster.testing.Examples#all")
  void runsOnEveryMasterOnTheHostNetwork(String example) {
    PodSpec pod = daemonSet(render(Examples.load(example))).getSpec().getTemplate().getSpec();

    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getNodeSelector()).isEqualTo(Placement.nodesWith(dev.homecluster.api.v1alpha1.Role.MASTER));
    assertThat(pod.getTolerations()).containsAll(Placement.controlPlaneTolerations());
    assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("keepalived", "haproxy");
  }

  @Test
  void keepalivedHasOnlyTheNetworkCapabilitiesAndSetgidAndItsNodeAsConfigId() {
    DaemonSet ds = daemonSet(render(Examples.load(Examples.HOME)));
    Container keepalived = container(ds, "keepalived");

    var security = keepalived.getSecurityContext();
    assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).containsExactly("NET_ADMIN", "NET_RAW", "NET_BROADCAST", "SETGID");
    assertThat(keepalived.getEnv())
        .singleElement()
        .satisfies(env -> {
          assertThat(env.getName()).isEqualTo("NODE_NAME");
          assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });
    assertThat(keepalived.getCommand()).containsExactly("/bin/sh", "/etc/keepalived/keepalived-start.sh");
    assertThat(keepalived.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .containsExactly(
            "keepalived-config:/etc/keepalived",
            "vrrp-auth:/run/secrets/vrrp-auth",
            "keepalived-run:" + KeepalivedConfig.RUN_DIR);
    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    assertThat(volume(pod, "vrrp-auth").getSecret().getSecretName()).isEqualTo(Names.VRRP_AUTH_SECRET);
    assertThat(volume(pod, "keepalived-run").getEmptyDir().getMedium()).isEqualTo("Memory");
  }

  @Test
  void haproxyRunsAsTheImagesUnprivilegedUserWithNoCapability() {
    Container haproxy = container(daemonSet(render(Examples.load(Examples.HOME))), "haproxy");

    var security = haproxy.getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getRunAsUser()).isEqualTo(99L);
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(haproxy.getCommand()).containsExactly("haproxy", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg");
  }

  @Test
  void haproxyGetsOnlyNetBindServiceForAPortBelow1024() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getControlPlane().getEndpoint().setPort(443);

    Container haproxy = container(daemonSet(render(cluster)), "haproxy");

    var security = haproxy.getSecurityContext();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).containsExactly("NET_BIND_SERVICE");
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(haproxy.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(443));
  }

  @Test
  void bothContainersHaveProbesAndSmallBoardResources() {
    DaemonSet ds = daemonSet(render(Examples.load(Examples.HOME)));

    for (String name : List.of("keepalived", "haproxy")) {
      Container c = container(ds, name);
      assertThat(c.getReadinessProbe()).as(name + " readiness").isNotNull();
      assertThat(c.getLivenessProbe()).as(name + " liveness").isNotNull();
      assertThat(c.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
      assertThat(c.getResources().getLimits()).as(name).containsKey("memory");
    }
    Container haproxy = container(ds, "haproxy");
    var readiness = haproxy.getReadinessProbe().getHttpGet();
    assertThat(readiness.getHost() + ":" + readiness.getPort().getIntVal() + readiness.getPath())
        .isEqualTo("127.0.0.1:8404/healthz");
    assertThat(haproxy.getLivenessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(8404);
    assertThat(haproxy.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(2L);
    assertThat(container(ds, "keepalived").getReadinessProbe().getExec().getCommand())
        .last()
        .isEqualTo("kill -0 \"$(cat /run/keepalived/vrrp.pid)\"");
  }

  @Test
  void imagesComeFromTheSpec() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getControlPlane().getEndpoint().setKeepalivedImage("registry.lan/keepalived:2.3.4");
    cluster.getSpec().getControlPlane().getEndpoint().setHaproxyImage("registry.lan/haproxy:3.2.9");

    DaemonSet ds = daemonSet(render(cluster));

    assertThat(container(ds, "keepalived").getImage()).isEqualTo("registry.lan/keepalived:2.3.4");
    assertThat(container(ds, "haproxy").getImage()).isEqualTo("registry.lan/haproxy:3.2.9");
  }

  @Test
  void podsRestartWhenTheConfigChanges() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    String before = daemonSet(render(cluster)).getSpec().getTemplate().getMetadata().getAnnotations()
        .get(Names.INPUT_HASH_ANNOTATION);
    cluster.getSpec().getControlPlane().getEndpoint().setVirtualRouterId(52);
    String after = daemonSet(render(cluster)).getSpec().getTemplate().getMetadata().getAnnotations()
        .get(Names.INPUT_HASH_ANNOTATION);

    assertThat(before).isNotBlank();
    assertThat(after).isNotBlank().isNotEqualTo(before);
    assertThat(daemonSet(render(Examples.load(Examples.HOME))).getSpec().getTemplate().getMetadata()
        .getAnnotations().get(Names.INPUT_HASH_ANNOTATION)).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.homecluster.testing.Examples#all")
  void disruptionBudgetKeepsTwoMastersServingWithoutBlockingSmallClusters(String example) {
    HomeCluster cluster = Examples.load(example);
    int masters = RenderContext.of(cluster).masters().size();
    List<HasMetadata> objects = render(cluster);
    PodDisruptionBudget pdb = Rendered.find(objects, PodDisruptionBudget.class, Names.ENDPOINT);
    DaemonSet ds = daemonSet(objects);

    // An integer minAvailable: the only form the disruption controller supports for DaemonSets.
    assertThat(pdb.getSpec().getMaxUnavailable()).isNull();
    assertThat(pdb.getSpec().getMinAvailable().getIntVal())
        .isEqualTo(Math.min(2, masters - 1))
        .isLessThan(masters);
    assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(ds.getSpec().getSelector().getMatchLabels())
        .isEqualTo(Labels.selector(Names.ENDPOINT));
    assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels());
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isEqualTo(1);
  }

  @Test
  void minAvailableNeverBlocksEveryEviction() {
    assertThat(List.of(1, 2, 3, 5, 9)).extracting(ApiServerEndpoint::minAvailable).containsExactly(0, 1, 2, 2, 2);
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("apiserver-endpoint/home.yaml", Manifests.toYaml(render(Examples.load(Examples.HOME))));
  }
}
