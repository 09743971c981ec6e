package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.ComponentStatus;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import dev.homecluster.api.v1alpha1.NodeResourcePlan;
import dev.homecluster.api.v1alpha1.NodeStatus;
import dev.homecluster.operator.ComponentOutcome.Result;
import dev.homecluster.testing.Examples;
import dev.homecluster.validation.Problem;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StatusAggregatorTest {
  private static final Instant T0 = Instant.parse("2026-11-30T09:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-30T09:05:00Z");
  private static final List<String> MASTERS = List.of("master-1", "master-2", "master-3");
  private static final List<String> ALL_NODES =
      List.of("master-1", "master-2", "master-3", "worker-1", "worker-2", "worker-3", "backup-1");

  private final StatusAggregator aggregator = new StatusAggregator();
  private HomeCluster home;

  @BeforeEach
  void loadHome() {
    home = Examples.load(Examples.HOME);
    home.getMetadata().setGeneration(3L);
  }

  private static ComponentOutcome applied(String component, String condition) {
    return ComponentOutcome.applied(component, Optional.ofNullable(condition));
  }

  private static WorkloadState daemonSet(String component, int ready, int desired) {
    return new WorkloadState(component, "DaemonSet", "kube-system", component, ready, desired, true);
  }

  private static List<PodState> podsOn(String component, List<String> nodes) {
    return nodes.stream().map(n -> new PodState(component, n, true)).toList();
  }

  private static Map<String, NodeState> readyNodes() {
    Map<String, NodeState> nodes = new java.util.HashMap<>();
    ALL_NODES.forEach(n -> nodes.put(n, new NodeState(n, true)));
    return nodes;
  }

  /** The documented cluster with every workload ready, Rook missing. */
  private Observation healthyWithoutRook() {
    List<PodState> pods = new ArrayList<>();
    pods.addAll(podsOn("kube-apiserver", MASTERS));
    pods.addAll(podsOn("apiserver-endpoint", MASTERS));
    pods.addAll(podsOn("kube-proxy", ALL_NODES));
    return new Observation(
        List.of(
            applied("node-roles", null),
            applied("kube-apiserver", ConditionTypes.CONTROL_PLANE_READY),
            applied("kube-proxy", ConditionTypes.CONTROL_PLANE_READY),
            applied("apiserver-endpoint", ConditionTypes.ENDPOINT_READY),
            new ComponentOutcome(
                "ceph",
                Optional.of(ConditionTypes.STORAGE_READY),
                Result.SKIPPED,
                "RookNotInstalled",
                "install Rook: the cluster does not serve ceph.rook.io/v1 CephCluster"),
            applied("nfs-server", ConditionTypes.BACKUPS_HEALTHY)),
        List.of(
            daemonSet("kube-apiserver", 3, 3),
            daemonSet("kube-proxy", 7, 7),
            daemonSet("apiserver-endpoint", 3, 3),
            new WorkloadState("nfs-server", "Deployment", "homecluster-backup", "nfs-server", 1, 1, true)),
        List.of(),
        pods,
        readyNodes(),
        List.of(),
        null);
  }

  @Test
  void readyWithStorageSkippedForMissingRookIsDegraded() {
    HomeClusterStatus status = aggregator.aggregate(home, healthyWithoutRook(), T0);

    assertThat(Conditions.isTrue(status.getConditions(), ConditionTypes.READY)).isTrue();
    Condition storage = Conditions.find(status.getConditions(), ConditionTypes.STORAGE_READY);
    assertThat(storage.getStatus()).isEqualTo("False");
    assertThat(storage.getReason()).isEqualTo("RookNotInstalled");
    assertThat(storage.getMessage()).contains("install Rook");
    assertThat(status.getPhase()).isEqualTo(StatusAggregator.PHASE_DEGRADED);
    assertThat(status.getObservedGeneration()).isEqualTo(3L);
    assertThat(status.getConditions()).extracting(Condition::getType).containsExactlyElementsOf(ConditionTypes.ALL);
  }

  @Test
  void unreadyControlPlaneDaemonSetKeepsClusterUnreadyAndSaysWhich() {
    Observation o = healthyWithoutRook();
    List<WorkloadState> workloads = new ArrayList<>(o.workloads());
    workloads.set(0, daemonSet("kube-apiserver", 2, 3));
    Observation degraded =
        new Observation(o.outcomes(), workloads, o.customResources(), o.pods(), o.nodes(), o.warnings(), null);

    HomeClusterStatus status = aggregator.aggregate(home, degraded, T0);

    Condition cp = Conditions.find(status.getConditions(), ConditionTypes.CONTROL_PLANE_READY);
    assertThat(cp.getStatus()).isEqualTo("False");
    assertThat(cp.getMessage()).contains("DaemonSet kube-system/kube-apiserver 2/3 ready");
    assertThat(Conditions.find(status.getConditions(), ConditionTypes.READY).getStatus()).isEqualTo("False");
    assertThat(status.getPhase()).isEqualTo(StatusAggregator.PHASE_PROGRESSING);
  }

  @Test
  void applyFailureMakesReadyFalseWithReason() {
    Observation o = healthyWithoutRook();
    List<ComponentOutcome> outcomes = new ArrayList<>(o.outcomes());
    outcomes.set(
        2,
        new ComponentOutcome(
            "kube-proxy", Optional.of(ConditionTypes.CONTROL_PLANE_READY), Result.FAILED, "ApplyFailed", "403 forbidden"));
    HomeClusterStatus status =
        aggregator.aggregate(
            home, new Observation(outcomes, o.workloads(), List.of(), o.pods(), o.nodes(), List.of(), null), T0);

    Condition ready = Conditions.find(status.getConditions(), ConditionTypes.READY);
    assertThat(ready.getReason()).isEqualTo("ApplyFailed");
    assertThat(ready.getMessage()).contains("kube-proxy: 403 forbidden");
  }

  @Test
  void unreadyCephClusterMakesStorageFalseButNotReady() {
    Observation o = healthyWithoutRook();
    List<ComponentOutcome> outcomes = new ArrayList<>(o.outcomes());
    outcomes.set(4, applied("ceph", ConditionTypes.STORAGE_READY));
    Observation withCeph =
        new Observation(
            outcomes,
            o.workloads(),
            List.of(new CustomResourceState("ceph", "CephCluster", "rook-ceph", "rook-ceph", false, "phase Progressing")),
            o.pods(),
            o.nodes(),
            List.of(),
            null);

    HomeClusterStatus status = aggregator.aggregate(home, withCeph, T0);

    Condition storage = Conditions.find(status.getConditions(), ConditionTypes.STORAGE_READY);
    assertThat(storage.getReason()).isEqualTo("NotReady");
    assertThat(storage.getMessage()).isEqualTo("CephCluster rook-ceph/rook-ceph: phase Progressing");
    assertThat(Conditions.isTrue(status.getConditions(), ConditionTypes.READY)).isTrue();
  }

  @Test
  void invalidSpecNamesTheFieldAndKeepsWhatRuns() {
    home.setStatus(aggregator.aggregate(home, healthyWithoutRook(), T0));
    home.getMetadata().setGeneration(4L);

    HomeClusterStatus status =
        aggregator.invalid(home, List.of(Problem.error("spec.nodes[2].address", "must be an IP address")), T1);

    Condition valid = Conditions.find(status.getConditions(), ConditionTypes.VALID);
    assertThat(valid.getStatus()).isEqualTo("False");
    assertThat(valid.getMessage()).isEqualTo("spec.nodes[2].address: must be an IP address");
    assertThat(status.getPhase()).isEqualTo(StatusAggregator.PHASE_INVALID);
    assertThat(status.getObservedGeneration()).isEqualTo(4L);
    Condition cp = Conditions.find(status.getConditions(), ConditionTypes.CONTROL_PLANE_READY);
    assertThat(cp.getStatus()).isEqualTo("True");
    assertThat(cp.getLastTransitionTime()).isEqualTo("2026-11-30T09:00:00Z");
    assertThat(status.getComponents()).isEqualTo(home.getStatus().getComponents());
  }

  @Test
  void aRefusedHomeClusterSaysWhichOneIsActiveAndIsNeverReady() {
    home.getMetadata().setGeneration(1L);

    HomeClusterStatus status = aggregator.refused(home, "HomeCluster \"lab\" already manages this cluster", T0);

    Condition valid = Conditions.find(status.getConditions(), ConditionTypes.VALID);
    assertThat(valid.getStatus()).isEqualTo("False");
    assertThat(valid.getReason()).isEqualTo(StatusAggregator.REASON_ANOTHER_CLUSTER);
    assertThat(valid.getMessage()).contains("\"lab\" already manages");
    Condition ready = Conditions.find(status.getConditions(), ConditionTypes.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getMessage()).contains("nothing was applied or deleted");
    assertThat(status.getPhase()).isEqualTo(StatusAggregator.PHASE_REFUSED);
    assertThat(status.getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void perNodeSummaryShowsPresenceReadinessAndRunningComponents() {
    Observation o = healthyWithoutRook();
    Map<String, NodeState> nodes = new java.util.HashMap<>(o.nodes());
    nodes.remove("worker-3");
    nodes.put("worker-2", new NodeState("worker-2", false));
    HomeClusterStatus status =
        aggregator.aggregate(
            home, new Observation(o.outcomes(), o.workloads(), List.of(), o.pods(), nodes, List.of(), null), T0);

    NodeStatus master1 = status.getNodes().get(0);
    assertThat(master1.getName()).isEqualTo("master-1");
    assertThat(master1.getRoles()).containsExactly("master");
    assertThat(master1.getComponents()).containsExactly("apiserver-endpoint", "kube-apiserver", "kube-proxy");
    NodeStatus worker2 = status.getNodes().get(4);
    assertThat(worker2.getPresent()).isTrue();
    assertThat(worker2.getReady()).isFalse();
    NodeStatus worker3 = status.getNodes().get(5);
    assertThat(worker3.getPresent()).isFalse();
    assertThat(status.getMasters()).isEqualTo(3);
    assertThat(status.getWorkers()).isEqualTo(3);
  }

  @Test
  void endpointIsTheVipAndServersAreMastersWithAReadyEndpointPod() {
    Observation o = healthyWithoutRook();
    List<PodState> pods = new ArrayList<>(o.pods());
    pods.removeIf(p -> p.component().equals("apiserver-endpoint") && p.nodeName().equals("master-2"));
    pods.add(new PodState("apiserver-endpoint", "master-2", false));
    HomeClusterStatus status =
        aggregator.aggregate(
            home, new Observation(o.outcomes(), o.workloads(), List.of(), pods, o.nodes(), List.of(), null), T0);

    assertThat(status.getEndpoint()).isEqualTo("192.168.1.100:8443");
    assertThat(status.getEndpointServers()).containsExactly("master-1", "master-3");
  }

  @Test
  void componentCountsComeFromWorkloadStatusInRenderOrder() {
    HomeClusterStatus status = aggregator.aggregate(home, healthyWithoutRook(), T0);

    assertThat(status.getComponents())
        .extracting(ComponentStatus::getName, ComponentStatus::getKind, ComponentStatus::getReady, ComponentStatus::getDesired)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("kube-apiserver", "DaemonSet", 3, 3),
            org.assertj.core.groups.Tuple.tuple("kube-proxy", "DaemonSet", 7, 7),
            org.assertj.core.groups.Tuple.tuple("apiserver-endpoint", "DaemonSet", 3, 3),
            org.assertj.core.groups.Tuple.tuple("nfs-server", "Deployment", 1, 1));
  }

  @Test
  void sameObservationTwiceGivesAnEqualStatus() {
    home.setStatus(aggregator.aggregate(home, healthyWithoutRook(), T0));
    HomeClusterStatus again = aggregator.aggregate(home, healthyWithoutRook(), T1);

    assertThat(StatusComparison.same(home.getStatus(), again)).isTrue();
  }

  @Test
  void notReadyWhileAMasterNodeIsNotRegistered() {
    Observation o = healthyWithoutRook();
    Map<String, NodeState> nodes = new java.util.HashMap<>(o.nodes());
    nodes.remove("master-2");
    HomeClusterStatus status =
        aggregator.aggregate(
            home, new Observation(o.outcomes(), o.workloads(), List.of(), o.pods(), nodes, List.of(), null), T0);

    Condition ready = Conditions.find(status.getConditions(), ConditionTypes.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getMessage()).contains("master Node(s) not registered: master-2");
  }

  @Test
  void daemonSetWithNoMatchingNodeIsNotReady() {
    assertThat(daemonSet("kube-apiserver", 0, 0).isReady()).isFalse();
    assertThat(new WorkloadState("x", "Deployment", "ns", "x", 0, 0, true).isReady()).isTrue();
    assertThat(new WorkloadState("x", "Deployment", "ns", "x", 1, 1, false).isReady()).isFalse();
  }

  /** The documented cluster healthy, with Ceph applied and ready, and the backups' own judgement. */
  private Observation healthyWithBackups(Condition backups) {
    Observation o = healthyWithoutRook();
    List<ComponentOutcome> outcomes =
        o.outcomes().stream()
            .map(c -> c.component().equals("ceph") ? applied("ceph", ConditionTypes.STORAGE_READY) : c)
            .toList();
    NodeResourcePlan plan = new NodeResourcePlan();
    plan.setNode("worker-1");
    plan.setCpuRequested("900m");
    plan.setOvercommitted(false);
    return new Observation(
        outcomes, o.workloads(), List.of(), o.pods(), o.nodes(), List.of(), List.of(), backups, List.of(plan));
  }

  private static Condition backupsCondition(String status, String reason, String message) {
    return new io.fabric8.kubernetes.api.model.ConditionBuilder()
        .withType(ConditionTypes.BACKUPS_HEALTHY).withStatus(status).withReason(reason).withMessage(message)
        .build();
  }

  @Test
  void staleBackupsMakeBackupsHealthyFalseAndThePhaseDegradedButNotTheClusterUnready() {
    HomeClusterStatus status =
        aggregator.aggregate(
            home, healthyWithBackups(backupsCondition("False", "BackupStale", "rsync: last success is old")), T0);

    Condition backups = Conditions.find(status.getConditions(), ConditionTypes.BACKUPS_HEALTHY);
    assertThat(backups.getStatus()).isEqualTo("False");
    assertThat(backups.getReason()).isEqualTo("BackupStale");
    assertThat(backups.getMessage()).isEqualTo("rsync: last success is old");
    assertThat(Conditions.isTrue(status.getConditions(), ConditionTypes.READY)).isTrue();
    assertThat(status.getPhase()).isEqualTo(StatusAggregator.PHASE_DEGRADED);
  }

  @Test
  void aFirstBackupStillToComeIsUnknownAndLeavesThePhaseReady() {
    HomeClusterStatus status =
        aggregator.aggregate(
            home, healthyWithBackups(backupsCondition("Unknown", "FirstRunPending", "rsync: no run yet")), T0);

    assertThat(Conditions.find(status.getConditions(), ConditionTypes.BACKUPS_HEALTHY).getStatus()).isEqualTo("Unknown");
    assertThat(status.getPhase()).isEqualTo(StatusAggregator.PHASE_READY);
  }

  @Test
  void aNotReadyBackupServerOutranksTheBackupsOwnJudgement() {
    Observation o = healthyWithBackups(backupsCondition("True", "RecentBackups", "all recent"));
    List<WorkloadState> workloads =
        o.workloads().stream()
            .map(w -> w.component().equals("nfs-server")
                ? new WorkloadState("nfs-server", "Deployment", "homecluster-backup", "nfs-server", 0, 1, true)
                : w)
            .toList();
    HomeClusterStatus status =
        aggregator.aggregate(
            home,
            new Observation(o.outcomes(), workloads, List.of(), o.pods(), o.nodes(), List.of(), List.of(),
                o.backupsCondition(), o.resourcePlan()),
            T0);

    Condition backups = Conditions.find(status.getConditions(), ConditionTypes.BACKUPS_HEALTHY);
    assertThat(backups.getStatus()).isEqualTo("False");
    assertThat(backups.getReason()).isEqualTo("NotReady");
  }

  @Test
  void theResourcePlanLandsInTheStatusAndIsKeptWhenNotReplanned() {
    HomeClusterStatus planned =
        aggregator.aggregate(home, healthyWithBackups(backupsCondition("True", "RecentBackups", "ok")), T0);
    assertThat(planned.getResourcePlan()).extracting(NodeResourcePlan::getNode).containsExactly("worker-1");

    home.setStatus(planned);
    HomeClusterStatus next = aggregator.aggregate(home, healthyWithoutRook(), T1);
    assertThat(next.getResourcePlan()).extracting(NodeResourcePlan::getCpuRequested).containsExactly("900m");
  }
}
