package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.ComponentStatus;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.NodeStatus;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.storage.CephProbeComponent;
import dev.homecluster.testing.Examples;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpecBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The operator, in-process, against the simulated cluster: apply, status, drift, no-op. */
@SimulatedClusterTest
class HomeClusterOperatorIT {
  private OperatorHarness harness;

  @AfterEach
  void removeTheHomeCluster() {
    if (harness != null) {
      harness.close();
    }
  }

  private OperatorHarness harness(TestCluster cluster, Duration resync) {
    harness = new OperatorHarness(cluster, resync).start();
    return harness;
  }

  @Test
  void documentedClusterBecomesReadyWithEveryPodOnTheRightNodes(TestCluster cluster) {
    OperatorHarness h = harness(cluster, OperatorOptions.DEFAULT_RESYNC);
    h.apply(Examples.load(Examples.HOME));

    HomeCluster hc = h.awaitReady();
    HomeClusterStatus status = hc.getStatus();

    assertThat(Conditions.isTrue(status.getConditions(), ConditionTypes.VALID)).isTrue();
    assertThat(status.getConditions()).extracting(Condition::getType).containsExactlyElementsOf(ConditionTypes.ALL);
    assertThat(status.getMasters()).isEqualTo(3);
    assertThat(status.getWorkers()).isEqualTo(3);
    assertThat(status.getEndpoint()).isEqualTo("192.168.1.100:8443");
    assertThat(status.getNodes()).allSatisfy(n -> assertThat(n.getPresent()).as(n.getName()).isTrue());
    assertThat(status.getComponents())
        .anySatisfy(c -> {
          assertThat(c.getName()).isEqualTo(ProbeComponent.NAME);
          assertThat(c.getReady()).isEqualTo(3);
          assertThat(c.getDesired()).isEqualTo(3);
        });
    NodeStatus worker1 = status.getNodes().stream().filter(n -> n.getName().equals("worker-1")).findFirst().orElseThrow();
    assertThat(worker1.getComponents()).contains(ProbeComponent.NAME);
    // The plan compares requests with what each fake Node reports as allocatable.
    assertThat(status.getResourcePlan()).hasSize(hc.getSpec().getNodes().size()).allSatisfy(plan -> {
      Node node = h.admin.nodes().withName(plan.getNode()).get();
      assertThat(io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(plan.getCpuAllocatable())))
          .as(plan.getNode())
          .isEqualByComparingTo(io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(node.getStatus().getAllocatable().get("cpu")));
      assertThat(plan.getCpuRequested()).as(plan.getNode()).isNotBlank();
      assertThat(plan.getOvercommitted()).as(plan.getNode()).isNotNull();
    });

    for (NodeSpec spec : hc.getSpec().getNodes()) {
      Node node = h.admin.nodes().withName(spec.getName()).get();
      for (Role role : spec.getRoles()) {
        assertThat(node.getMetadata().getLabels()).as(spec.getName()).containsKey(Placement.roleLabel(role));
      }
      boolean tainted = node.getSpec().getTaints() != null
          && node.getSpec().getTaints().stream().anyMatch(t -> Placement.CONTROL_PLANE_TAINT_KEY.equals(t.getKey()));
      assertThat(tainted).as(spec.getName() + " tainted").isEqualTo(spec.has(Role.MASTER) && !spec.has(Role.WORKER));
    }

    for (HasMetadata workload : workloads(h)) {
      PodTemplateSpec template = template(workload);
      List<Pod> pods =
          h.admin.pods().inNamespace(workload.getMetadata().getNamespace())
              .withLabels(selector(workload)).list().getItems();
      assertThat(pods).as(workload.getKind() + " " + workload.getMetadata().getName() + " pods").isNotEmpty();
      for (Pod pod : pods) {
        assertThat(pod.getStatus().getPhase()).as(pod.getMetadata().getName()).isEqualTo("Running");
        Node node = h.admin.nodes().withName(pod.getSpec().getNodeName()).get();
        Map<String, String> wanted = template.getSpec().getNodeSelector() == null ? Map.of() : template.getSpec().getNodeSelector();
        assertThat(node.getMetadata().getLabels()).as(pod.getMetadata().getName() + " on " + node.getMetadata().getName())
            .containsAllEntriesOf(wanted);
      }
      // No owner reference: deleting the HomeCluster must never garbage-collect the control plane.
      assertThat(workload.getMetadata().getOwnerReferences())
          .as(workload.getKind() + " " + workload.getMetadata().getName() + " owner references")
          .noneSatisfy(r -> assertThat(r.getKind()).isEqualTo(HomeCluster.KIND));
    }

    Condition storage = Conditions.find(status.getConditions(), ConditionTypes.STORAGE_READY);
    if (h.admin.getApiResources("ceph.rook.io/v1") == null) {
      assertThat(storage.getStatus()).isEqualTo("False");
      assertThat(storage.getReason()).isEqualTo("RookNotInstalled");
      assertThat(storage.getMessage()).contains("install Rook").contains(CephProbeComponent.CEPH_CLUSTER_API);
      assertThat(status.getPhase()).isEqualTo(StatusAggregator.PHASE_DEGRADED);
    }
  }

  @Test
  void steadyStateOverFullResyncsWritesNothing(TestCluster cluster) {
    OperatorHarness h = harness(cluster, Duration.ofSeconds(3));
    h.apply(Examples.load(Examples.HOME));
    h.awaitReady();
    h.awaitQuiet(Duration.ofSeconds(5));

    h.writes.reset();
    double before = h.reconciles();
    OperatorHarness.sleep(Duration.ofSeconds(12));

    assertThat(h.reconciles() - before).as("reconciles during the window").isGreaterThanOrEqualTo(3);
    assertThat(h.writes.writes()).as("writes in steady state").isEmpty();
  }

  @Test
  void invalidSpecSetsValidFalseWithTheFieldAndChangesNothing(TestCluster cluster) {
    OperatorHarness h = harness(cluster, Duration.ofSeconds(3));
    h.apply(Examples.load(Examples.HOME));
    h.awaitReady();
    h.awaitQuiet(Duration.ofSeconds(3));
    Map<String, String> before = h.controlPlaneVersions();
    h.writes.reset();

    HomeCluster invalid = Examples.load(Examples.HOME);
    // Errors only the Java validator finds (the CRD's CEL rules cannot compare with a CIDR).
    invalid.getSpec().getControlPlane().getEndpoint().setVip("10.0.0.100");
    invalid.getSpec().getNodes().add(node("worker-4", "192.168.2.134", Role.WORKER));
    h.apply(invalid);

    Condition valid = h.awaitCondition(ConditionTypes.VALID, "False", OperatorHarness.TIMEOUT)
        .getStatus().getConditions().stream().filter(c -> c.getType().equals(ConditionTypes.VALID)).findFirst().orElseThrow();
    assertThat(valid.getReason()).isEqualTo("InvalidSpec");
    assertThat(valid.getMessage()).contains("spec.controlPlane.endpoint.vip: 10.0.0.100 is outside").contains("spec.nodes[7].address");
    HomeCluster hc = h.get();
    assertThat(hc.getStatus().getPhase()).isEqualTo(StatusAggregator.PHASE_INVALID);
    assertThat(hc.getStatus().getObservedGeneration()).isEqualTo(hc.getMetadata().getGeneration());
    assertThat(Conditions.find(hc.getStatus().getConditions(), ConditionTypes.READY).getReason()).isEqualTo("InvalidSpec");

    // Resyncs come and go: no retry loop, one status patch, one event, nothing else written.
    OperatorHarness.sleep(Duration.ofSeconds(8));
    assertThat(h.writes.objectWrites()).as("writes to managed objects").isEmpty();
    assertThat(h.writes.writes().stream().filter(w -> w.endsWith("/status")).count()).as("status patches").isEqualTo(1);
    assertThat(h.controlPlaneVersions()).isEqualTo(before);
    assertThat(h.admin.configMaps().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(ProbeComponent.NAME).get().getData())
        .containsEntry("workers", "3");
    List<Event> events = events(h, "InvalidSpec");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getType()).isEqualTo("Warning");
    assertThat(events.get(0).getMessage()).contains("spec.controlPlane.endpoint.vip");

    h.apply(Examples.load(Examples.HOME));
    h.awaitCondition(ConditionTypes.VALID, "True", OperatorHarness.TIMEOUT);
  }

  @Test
  void specChangesConverge(TestCluster cluster) {
    OperatorHarness h = harness(cluster, OperatorOptions.DEFAULT_RESYNC);
    h.apply(Examples.load(Examples.HOME));
    h.awaitReady();

    HomeCluster changed = Examples.load(Examples.HOME);
    changed.getSpec().getControlPlane().getEndpoint().setVip("192.168.1.101");
    changed.getSpec().getNodes().add(node("worker-4", "192.168.1.134", Role.WORKER));
    h.apply(changed);

    HomeCluster hc = Eventually.await("the new spec observed", OperatorHarness.TIMEOUT, h::get,
        c -> c.getStatus() != null && c.getMetadata().getGeneration().equals(c.getStatus().getObservedGeneration())
            && "192.168.1.101:8443".equals(c.getStatus().getEndpoint()));
    assertThat(hc.getStatus().getWorkers()).isEqualTo(4);
    NodeStatus worker4 = hc.getStatus().getNodes().stream().filter(n -> n.getName().equals("worker-4")).findFirst().orElseThrow();
    assertThat(worker4.getPresent()).isFalse();
    ConfigMap probe = Eventually.await("the probe ConfigMap re-rendered", OperatorHarness.TIMEOUT,
        () -> h.admin.configMaps().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(ProbeComponent.NAME).get(),
        cm -> "192.168.1.101".equals(cm.getData().get("vip")));
    assertThat(probe.getData()).containsEntry("workers", "4");
    assertThat(h.admin.nodes().withName("worker-4").get()).as("a Node is never created").isNull();
    assertThat(events(h, HomeClusterReconciler.REASON_APPLIED)).isNotEmpty();
  }

  @Test
  void deletedDaemonSetComesBackThroughItsInformer(TestCluster cluster) {
    OperatorHarness h = harness(cluster, OperatorOptions.DEFAULT_RESYNC);
    h.apply(Examples.load(Examples.HOME));
    h.awaitReady();
    var daemonSets = h.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE);
    String uid = daemonSets.withName(ProbeComponent.NAME).get().getMetadata().getUid();

    daemonSets.withName(ProbeComponent.NAME).delete();

    // The resync is ten minutes away: only the delete event can bring it back this soon.
    DaemonSet back = Eventually.await("the DaemonSet re-created", Duration.ofSeconds(30),
        () -> daemonSets.withName(ProbeComponent.NAME).get(),
        ds -> ds != null && !ds.getMetadata().getUid().equals(uid) && ds.getMetadata().getDeletionTimestamp() == null);
    assertThat(back.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, Names.OPERATOR);
  }

  @Test
  void fieldsOfOtherManagersSurviveAndOurFieldsAreRepaired(TestCluster cluster) {
    OperatorHarness h = harness(cluster, OperatorOptions.DEFAULT_RESYNC);
    h.apply(Examples.load(Examples.HOME));
    h.awaitReady();
    var daemonSets = h.admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE);
    var configMaps = h.admin.configMaps().inNamespace(Names.CONTROL_PLANE_NAMESPACE);

    daemonSets.resource(new DaemonSetBuilder().withNewMetadata().withName(ProbeComponent.NAME)
            .withNamespace(Names.CONTROL_PLANE_NAMESPACE).addToLabels("team", "infra").endMetadata().build())
        .fieldManager("kubectl-label").serverSideApply();
    configMaps.withName(ProbeComponent.NAME).edit(cm -> {
      cm.getData().put("workers", "99");
      return cm;
    });

    Eventually.await("the edited ConfigMap repaired", Duration.ofSeconds(30),
        () -> configMaps.withName(ProbeComponent.NAME).get().getData().get("workers"), "3"::equals);
    h.awaitQuiet(Duration.ofSeconds(3));
    assertThat(daemonSets.withName(ProbeComponent.NAME).get().getMetadata().getLabels()).containsEntry("team", "infra");
  }

  private static NodeSpec node(String name, String address, Role role) {
    NodeSpec node = new NodeSpec();
    node.setName(name);
    node.setAddress(address);
    node.setRoles(new ArrayList<>(List.of(role)));
    return node;
  }

  private static List<Event> events(OperatorHarness h, String reason) {
    return h.admin.v1().events().inNamespace(ClusterEvents.NAMESPACE).list().getItems().stream()
        .filter(e -> OperatorHarness.NAME.equals(e.getInvolvedObject().getName())
            && "HomeCluster".equals(e.getInvolvedObject().getKind())
            && reason.equals(e.getReason())
            && h.get().getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
        .toList();
  }

  private static List<HasMetadata> workloads(OperatorHarness h) {
    Map<String, String> labels = Map.of(Labels.PART_OF, OperatorHarness.NAME, Labels.MANAGED_BY, Names.OPERATOR);
    List<HasMetadata> result = new ArrayList<>();
    result.addAll(h.admin.apps().daemonSets().inAnyNamespace().withLabels(labels).list().getItems());
    result.addAll(h.admin.apps().deployments().inAnyNamespace().withLabels(labels).list().getItems());
    result.addAll(h.admin.apps().statefulSets().inAnyNamespace().withLabels(labels).list().getItems());
    return result;
  }

  private static PodTemplateSpec template(HasMetadata workload) {
    if (workload instanceof DaemonSet ds) {
      return ds.getSpec().getTemplate();
    }
    if (workload instanceof Deployment d) {
      return d.getSpec().getTemplate();
    }
    return ((StatefulSet) workload).getSpec().getTemplate();
  }

  private static Map<String, String> selector(HasMetadata workload) {
    if (workload instanceof DaemonSet ds) {
      return ds.getSpec().getSelector().getMatchLabels();
    }
    if (workload instanceof Deployment d) {
      return d.getSpec().getSelector().getMatchLabels();
    }
    return ((StatefulSet) workload).getSpec().getSelector().getMatchLabels();
  }
}
