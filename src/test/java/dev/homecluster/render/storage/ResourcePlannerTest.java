package dev.homecluster.render.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeCapacity;
import dev.homecluster.api.v1alpha1.NodeResourcePlan;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import dev.homecluster.validation.Problem;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourcePlannerTest {

  /**
   * The Ceph component's objects (the planner's own input) plus the test's workloads, so the
   * figures do not move when other components change their requests.
   */
  private static List<HasMetadata> rendered(HomeCluster cluster, HasMetadata... extra) {
    List<HasMetadata> objects =
        new ArrayList<>(
            new Renderer(List.of(new CephStorage())).render(RenderContext.of(cluster)).objects());
    objects.addAll(List.of(extra));
    return objects;
  }

  private static Container container(String cpu, String memory) {
    return new ContainerBuilder()
        .withName("main")
        .withImage("example.org/app:1")
        .withResources(
            new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(cpu))
                .addToRequests("memory", new Quantity(memory))
                .build())
        .build();
  }

  private static PodSpec pod(
      Map<String, String> nodeSelector, List<Toleration> tolerations, Container... containers) {
    return new PodSpecBuilder()
        .withNodeSelector(nodeSelector)
        .withTolerations(tolerations)
        .withContainers(containers)
        .build();
  }

  private static HasMetadata daemonSet(String name, PodSpec pod) {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("kube-system")
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .build();
  }

  private static HasMetadata deployment(String name, int replicas, PodSpec pod) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("apps")
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewTemplate()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .build();
  }

  private static HasMetadata cronJob(String name, PodSpec pod) {
    return new CronJobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("homecluster-backup")
        .endMetadata()
        .withNewSpec()
        .withSchedule("0 3 * * *")
        .withNewJobTemplate()
        .withNewSpec()
        .withNewTemplate()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .endJobTemplate()
        .endSpec()
        .build();
  }

  private static ResourcePlan.NodePlan node(ResourcePlan plan, String name) {
    return plan.nodes().stream()
        .filter(n -> n.node().name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> workloads(ResourcePlan plan, String node) {
    return node(plan, node).pods().stream().map(ResourcePlan.Pod::workload).toList();
  }

  @Test
  void reportsAnOvercommittedNodeWithItsFigures() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec()
        .getNodes()
        .get(3)
        .setCapacity(new NodeCapacity(new Quantity("800m"), new Quantity("3Gi")));
    HasMetadata agent =
        daemonSet("node-agent", pod(Map.of(), Placement.everywhere(), container("100m", "128Mi")));

    ResourcePlan plan = ResourcePlanner.plan(home, rendered(home, agent), Map.of());

    // worker-1: agent 100m/128Mi, OSD 500m/1Gi, mon 100m/1Gi, mgr 100m/512Mi, mds 100m/1Gi.
    NodeResourcePlan worker1 = plan.toStatus().get(3);
    assertThat(worker1.getNode()).isEqualTo("worker-1");
    assertThat(worker1.getCpuRequested()).isEqualTo("900m");
    assertThat(worker1.getMemoryRequested()).isEqualTo("3712Mi");
    assertThat(worker1.getCpuAllocatable()).isEqualTo("800m");
    assertThat(worker1.getMemoryAllocatable()).isEqualTo("3Gi");
    assertThat(worker1.getOvercommitted()).isTrue();
    assertThat(plan.warnings())
        .containsExactly(
            Problem.warning(
                "spec.nodes[3]",
                "worker-1 requests 0.9 CPU of 0.8 and 3.63Gi memory of 3Gi allocatable (declared"
                    + " capacity): overcommitted by 0.1 CPU and 640Mi memory"));
    // Nodes without a declared capacity cannot be judged.
    assertThat(plan.toStatus().get(4).getOvercommitted()).isNull();
    assertThat(plan.toStatus().get(4).getCpuAllocatable()).isNull();
  }

  @Test
  void observedAllocatableWinsOverDeclaredCapacity() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec()
        .getNodes()
        .get(3)
        .setCapacity(new NodeCapacity(new Quantity("800m"), new Quantity("3Gi")));

    ResourcePlan plan =
        ResourcePlanner.plan(
            home,
            rendered(home),
            Map.of("worker-1", new NodeCapacity(new Quantity("4"), new Quantity("15868Mi"))));

    assertThat(plan.toStatus().get(3).getCpuAllocatable()).isEqualTo("4");
    assertThat(plan.toStatus().get(3).getMemoryAllocatable()).isEqualTo("15868Mi");
    assertThat(plan.toStatus().get(3).getOvercommitted()).isFalse();
    assertThat(plan.warnings()).isEmpty();
  }

  @Test
  void daemonSetsLandWhereRoleLabelsAndTaintsLetThem() {
    HomeCluster home = Examples.load(Examples.HOME);
    HasMetadata onMasters =
        daemonSet(
            "apiserver",
            pod(
                Placement.nodesWith(Role.MASTER),
                Placement.controlPlaneTolerations(),
                container("250m", "512Mi")));
    HasMetadata masterSelectorNoToleration =
        daemonSet(
            "blocked", pod(Placement.nodesWith(Role.MASTER), List.of(), container("1", "1Gi")));
    HasMetadata anywhereUntolerated =
        daemonSet("untainted-only", pod(Map.of(), List.of(), container("10m", "10Mi")));

    ResourcePlan plan =
        ResourcePlanner.plan(
            home,
            rendered(home, onMasters, masterSelectorNoToleration, anywhereUntolerated),
            Map.of());

    assertThat(workloads(plan, "master-1")).containsExactly("DaemonSet kube-system/apiserver");
    assertThat(workloads(plan, "worker-1"))
        .contains("DaemonSet kube-system/untainted-only")
        .doesNotContain("DaemonSet kube-system/apiserver");
    assertThat(workloads(plan, "backup-1")).containsExactly("DaemonSet kube-system/untainted-only");
    assertThat(plan.nodes())
        .allSatisfy(
            n ->
                assertThat(n.pods())
                    .extracting(ResourcePlan.Pod::workload)
                    .doesNotContain("DaemonSet kube-system/blocked"));
  }

  @Test
  void aMasterThatIsAlsoAWorkerTakesWorkerPods() {
    HomeCluster lab = Examples.load(Examples.ONE_BOX_LAB);
    HasMetadata workerAgent =
        daemonSet(
            "worker-agent",
            pod(Placement.nodesWith(Role.WORKER), List.of(), container("50m", "64Mi")));

    ResourcePlan plan = ResourcePlanner.plan(lab, rendered(lab, workerAgent), Map.of());

    assertThat(workloads(plan, "lab-1"))
        .contains(
            "DaemonSet kube-system/worker-agent",
                "ceph-osd rook-ceph/rook-ceph"
                    + " /dev/disk/by-id/nvme-Samsung_SSD_980_1TB_S649NF0R123456",
            "ceph-mon rook-ceph/rook-ceph", "ceph-mgr rook-ceph/rook-ceph");
  }

  @Test
  void deploymentReplicasSpreadOverEligibleNodes() {
    HomeCluster home = Examples.load(Examples.HOME);
    HasMetadata app =
        deployment(
            "web", 4, pod(Placement.nodesWith(Role.WORKER), List.of(), container("200m", "256Mi")));

    ResourcePlan plan = ResourcePlanner.plan(home, rendered(home, app), Map.of());

    long[] perWorker =
        plan.nodes().stream()
            .mapToLong(
                n ->
                    n.pods().stream()
                        .filter(p -> p.workload().equals("Deployment apps/web"))
                        .count())
            .toArray();
    // Spec order: 3 masters, 3 workers, 1 backup. Four replicas on three workers: 2, 1, 1, with
    // the second on the worker with the least memory requested (worker-2: no metadata server).
    assertThat(perWorker).containsExactly(0, 0, 0, 1, 2, 1, 0);
  }

  @Test
  void cronJobsCountOnTheNodeTheyArePinnedTo() {
    HomeCluster home = Examples.load(Examples.HOME);
    HasMetadata pinned =
        cronJob("rsync", pod(Placement.node("backup-1"), List.of(), container("500m", "256Mi")));
    HasMetadata floating = cronJob("anywhere", pod(Map.of(), List.of(), container("1", "1Gi")));

    ResourcePlan plan = ResourcePlanner.plan(home, rendered(home, pinned, floating), Map.of());

    assertThat(node(plan, "backup-1").pods())
        .containsExactly(
            new ResourcePlan.Pod(
                "CronJob homecluster-backup/rsync",
                new BigDecimal("0.500"),
                new BigDecimal(256L * 1024 * 1024)));
    assertThat(plan.nodes())
        .allSatisfy(
            n ->
                assertThat(n.pods())
                    .extracting(ResourcePlan.Pod::workload)
                    .doesNotContain("CronJob homecluster-backup/anywhere"));
  }

  @Test
  void monitorsThatMayNotShareANodeAndOutnumberTheWorkersAreReportedUnplaced() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().getStorage().getCeph().setMonCount(5);
    home.getSpec().getStorage().getCeph().setAllowMultipleMonsPerNode(false);

    ResourcePlan separate = ResourcePlanner.plan(home, rendered(home), Map.of());
    home.getSpec().getStorage().getCeph().setAllowMultipleMonsPerNode(true);
    ResourcePlan shared = ResourcePlanner.plan(home, rendered(home), Map.of());

    assertThat(separate.warnings())
        .contains(
            Problem.warning(
                "spec.nodes", "2 of 5 replicas of ceph-mon rook-ceph/rook-ceph fit no node"));
    assertThat(shared.unplaced()).isEmpty();
    assertThat(
            shared.nodes().stream()
                .flatMap(n -> n.pods().stream())
                .filter(p -> p.workload().equals("ceph-mon rook-ceph/rook-ceph")))
        .hasSize(5);
  }

  @Test
  void aNodesOsdOverrideIsWhatItsOsdsRequest() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec()
        .getNodes()
        .get(4)
        .setOsdResources(
            new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("1500m"))
                .addToRequests("memory", new Quantity("3Gi"))
                .addToLimits("memory", new Quantity("4Gi"))
                .build());

    ResourcePlan plan = ResourcePlanner.plan(home, rendered(home), Map.of());

    assertThat(node(plan, "worker-2").pods())
        .filteredOn(p -> p.workload().startsWith("ceph-osd"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.cpu()).isEqualByComparingTo("1.5");
              assertThat(p.memory()).isEqualByComparingTo(BigDecimal.valueOf(3L << 30));
            });
    assertThat(node(plan, "worker-1").pods())
        .filteredOn(p -> p.workload().startsWith("ceph-osd"))
        .singleElement()
        .satisfies(p -> assertThat(p.memory()).isEqualByComparingTo(BigDecimal.valueOf(1L << 30)));
  }

  @Test
  void aPodRequestsItsContainersOrItsLargestInitContainer() {
    PodSpec small =
        new PodSpecBuilder()
            .withInitContainers(container("2", "64Mi"))
            .withContainers(container("100m", "1Gi"), container("100m", "1Gi"))
            .build();

    ResourcePlanner.Requests requests = ResourcePlanner.podRequests(small);

    assertThat(requests.cpu()).isEqualByComparingTo("2");
    assertThat(requests.memory()).isEqualByComparingTo(BigDecimal.valueOf(2L << 30));
  }
}
