package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import dev.homecluster.testing.ClusterCleanup;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One cluster keeps one set of keys: a second HomeCluster (another example applied beside the
 * first, or the new name of a GitOps rename, created before the old one is pruned) writes nothing,
 * and says why; the rename adopts the running cluster's keys and workloads once the old name is
 * deleted.
 */
@SimulatedClusterTest
class OneClusterOneIdentityIT {
  /** The keys whose loss breaks a running cluster: every kubeconfig, every token, every Secret in etcd. */
  private static final List<String> KEYS =
      List.of(
          Names.CLUSTER_CA_SECRET,
          Names.ETCD_CA_SECRET,
          Names.FRONT_PROXY_CA_SECRET,
          Names.SERVICE_ACCOUNT_KEY_SECRET,
          Names.ENCRYPTION_CONFIG_SECRET,
          Names.VRRP_AUTH_SECRET);

  private static final String LAB = "lab";
  private static final String RENAMED = "home-v2";

  private OperatorHarness harness;

  @AfterEach
  void removeEverything() {
    if (harness == null) {
      return;
    }
    for (String name : List.of(LAB, RENAMED)) {
      if (hc(name) != null) {
        harness.admin.resources(HomeCluster.class).withName(name).delete();
        Eventually.await("HomeCluster " + name + " gone", OperatorHarness.TIMEOUT, () -> hc(name), Objects::isNull);
      }
    }
    harness.close(); // deletes home, stops the operator (which would make the keys again), cleans up
    ClusterCleanup.deleteAll(harness.admin, RENAMED, OperatorHarness.renderer(false), OperatorHarness.TIMEOUT);
  }

  @Test
  void aSecondHomeClusterIsRefusedAndARenameAdoptsTheKeys(TestCluster cluster) {
    // Resyncs every 3 s: the rotation this guards against happened on every reconcile.
    harness = new OperatorHarness(cluster, Duration.ofSeconds(3), false).start();
    harness.apply(Examples.load(Examples.HOME));
    harness.awaitReady();
    Map<String, String> keys = keys();
    DaemonSet apiserver = apiserver();
    assertThat(apiserver).isNotNull();

    // Another example beside the first.
    HomeCluster lab = Examples.load(Examples.ONE_BOX_LAB);
    lab.getMetadata().setName(LAB);
    harness.admin.resource(lab).fieldManager("it-user").serverSideApply();
    Condition refused = awaitCondition(LAB, ConditionTypes.VALID, "False");
    assertThat(refused.getReason()).isEqualTo(StatusAggregator.REASON_ANOTHER_CLUSTER);
    assertThat(refused.getMessage()).contains("HomeCluster \"home\" already manages this cluster");
    assertThat(hc(LAB).getStatus().getPhase()).isEqualTo(StatusAggregator.PHASE_REFUSED);
    assertThat(warningReasons(LAB)).contains(StatusAggregator.REASON_ANOTHER_CLUSTER);
    OperatorHarness.sleep(Duration.ofSeconds(12)); // four resyncs of home, one recheck of lab
    assertThat(keys()).as("the first cluster's keys, after a second HomeCluster").isEqualTo(keys);
    assertThat(harness.admin.configMaps().inAnyNamespace().withLabel(Labels.PART_OF, LAB).list().getItems())
        .as("objects written for the refused HomeCluster").isEmpty();
    assertThat(harness.admin.secrets().inAnyNamespace().withLabel(Labels.PART_OF, LAB).list().getItems()).isEmpty();

    // Deleting the refused one deletes nothing of the running cluster.
    harness.admin.resources(HomeCluster.class).withName(LAB).delete();
    Eventually.await("HomeCluster lab gone", OperatorHarness.TIMEOUT, () -> hc(LAB), Objects::isNull);
    assertThat(keys()).isEqualTo(keys);

    // A rename, as Argo CD and Flux do it: the new name first, the old one pruned after.
    HomeCluster renamed = Examples.load(Examples.HOME);
    renamed.getMetadata().setName(RENAMED);
    harness.admin.resource(renamed).fieldManager("it-user").serverSideApply();
    awaitCondition(RENAMED, ConditionTypes.VALID, "False");
    harness.admin.resources(HomeCluster.class).withName(OperatorHarness.NAME).delete();
    Eventually.await("HomeCluster home gone", OperatorHarness.TIMEOUT, harness::get, Objects::isNull);
    awaitCondition(RENAMED, ConditionTypes.READY, "True");

    assertThat(keys()).as("the keys, byte for byte, after the rename").isEqualTo(keys);
    for (String key : KEYS) {
      assertThat(secret(key).getMetadata().getLabels()).as(key).containsEntry(Labels.PART_OF, RENAMED);
    }
    DaemonSet adopted = apiserver();
    assertThat(adopted.getMetadata().getUid()).as("the kube-apiserver DaemonSet was never deleted")
        .isEqualTo(apiserver.getMetadata().getUid());
    assertThat(adopted.getMetadata().getLabels()).containsEntry(Labels.PART_OF, RENAMED);
    assertThat(warningReasons(RENAMED)).doesNotContain("ApplyFailed", "ReconcileFailed");
  }

  @Test
  void aWorkloadWithTheSelectorOfAnOlderVersionIsReplacedByTheNewOne(TestCluster cluster) {
    // As operator versions before 0.2 wrote it: selecting on the HomeCluster's name too.
    DaemonSet legacy = (DaemonSet) new dev.homecluster.render.Renderer()
        .render(dev.homecluster.render.RenderContext.of(Examples.load(Examples.HOME))).objects().stream()
        .filter(o -> o instanceof DaemonSet && o.getMetadata().getName().equals(Names.KUBE_PROXY))
        .findFirst().orElseThrow();
    legacy.getSpec().getSelector().getMatchLabels().put(Labels.PART_OF, OperatorHarness.NAME);
    legacy.getSpec().getTemplate().getMetadata().getLabels().put(Labels.PART_OF, OperatorHarness.NAME);
    legacy = harness(cluster).admin.resource(legacy).fieldManager(Names.OPERATOR).forceConflicts().serverSideApply();
    String legacyUid = legacy.getMetadata().getUid();

    harness.start();
    harness.apply(Examples.load(Examples.HOME));
    harness.awaitReady();

    DaemonSet replaced = harness.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .withName(Names.KUBE_PROXY).get();
    assertThat(replaced.getMetadata().getUid()).as("replaced").isNotEqualTo(legacyUid);
    assertThat(replaced.getSpec().getSelector().getMatchLabels())
        .isEqualTo(Labels.selector(Names.KUBE_PROXY));
    Eventually.await("the new kube-proxy's pods on every node", OperatorHarness.TIMEOUT,
        () -> harness.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.KUBE_PROXY)
            .get().getStatus().getNumberReady(), n -> n != null && n == 7);
  }

  private OperatorHarness harness(TestCluster cluster) {
    harness = new OperatorHarness(cluster, OperatorOptions.DEFAULT_RESYNC, false);
    return harness;
  }

  private HomeCluster hc(String name) {
    return harness.admin.resources(HomeCluster.class).withName(name).get();
  }

  private Condition awaitCondition(String name, String type, String status) {
    return Eventually.await(
        type + "=" + status + " on HomeCluster " + name,
        OperatorHarness.READY_TIMEOUT,
        () -> {
          HomeCluster hc = hc(name);
          return hc == null || hc.getStatus() == null ? null : Conditions.find(hc.getStatus().getConditions(), type);
        },
        c -> c != null && status.equals(c.getStatus()));
  }

  /** Each key Secret's data, with its uid and resourceVersion: any rewrite shows. */
  private Map<String, String> keys() {
    Map<String, String> keys = new TreeMap<>();
    for (String name : KEYS) {
      Secret s = secret(name);
      assertThat(s).as("Secret " + name).isNotNull();
      keys.put(name, s.getMetadata().getUid() + " " + new TreeMap<>(s.getData()));
    }
    return keys;
  }

  private Secret secret(String name) {
    return harness.admin.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(name).get();
  }

  private DaemonSet apiserver() {
    return harness.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.KUBE_APISERVER).get();
  }

  private List<String> warningReasons(String name) {
    return harness.admin.v1().events().inAnyNamespace().list().getItems().stream()
        .filter(e -> e.getInvolvedObject() != null && name.equals(e.getInvolvedObject().getName())
            && HomeCluster.KIND.equals(e.getInvolvedObject().getKind()) && "Warning".equals(e.getType()))
        .map(io.fabric8.kubernetes.api.model.Event::getReason)
        .toList();
  }
}
