package dev.homecluster.cli;

import dev.homecluster.api.v1alpha1.ComponentStatus;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import dev.homecluster.api.v1alpha1.NodeStatus;
import dev.homecluster.operator.HomeClusterOperator;
import dev.homecluster.operator.OperatorOptions;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.sim.SimBuild;
import dev.homecluster.sim.SimulatedCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code homecluster demo}: the operator against a simulated home cluster built on this machine,
 * from an empty cluster to the example's workloads running on the right nodes.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Builds what is missing, starts a simulated cluster (real etcd, kube-apiserver,"
          + " controller-manager and scheduler; KWOK nodes) shaped like the HomeCluster, runs the"
          + " operator in this process, applies the HomeCluster and shows progress until it is"
          + " Ready. Ends with its status and the pods per node."
    })
public final class DemoCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--filename"},
      paramLabel = "FILE",
      description = "HomeCluster to apply. Default: manifests/examples/home.yaml.")
  String file;

  @Option(names = "--keep", description = "Leave the cluster running and print how to use it.")
  boolean keep;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "PT5M",
      description = "How long to wait for Ready (ISO-8601). Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path repo = SimBuild.repoRoot();
    String path = file != null ? file : repo.resolve("manifests/examples/home.yaml").toString();
    HomeCluster desired;
    try {
      desired = SpecFile.read(path, System.in);
    } catch (SpecFile.UnreadableSpecException e) {
      spec.commandLine().getErr().println("homecluster: " + e.getMessage());
      return e.exitCode();
    }
    Path stateDir = SimBuild.simDir(repo).resolve("demo");
    out.println("demo: starting the simulated cluster in " + stateDir + " (builds it first if needed)");
    out.flush();
    SimulatedCluster cluster = keep ? SimulatedCluster.startDetached(stateDir) : SimulatedCluster.start(stateDir);
    HomeClusterOperator operator = null;
    try {
      out.printf("demo: control plane up in %.1f s%n", cluster.startTime().toMillis() / 1000.0);
      cluster.createNodes(desired);
      out.println("demo: " + desired.getSpec().getNodes().size() + " nodes Ready");
      cluster.installCrds();
      cluster
          .installRookCrds()
          .ifPresentOrElse(
              crds -> out.println("demo: Rook CRDs installed (" + crds.size() + ")"),
              () -> out.println("demo: Rook CRDs not found at " + cluster.rookCrdsFile() + "; Ceph is skipped"));
      KubernetesClient client = cluster.newClient();
      operator = new HomeClusterOperator(client, OperatorOptions.inProcess().withHttpPort(-1)).start();
      out.println("demo: operator started; applying " + path);
      out.flush();
      desired.getMetadata().setResourceVersion(null);
      client.resource(desired).serverSideApply();
      boolean ready = waitForReady(client, desired.getMetadata().getName(), out);
      HomeCluster observed = client.resources(HomeCluster.class).withName(desired.getMetadata().getName()).get();
      printStatus(observed, out);
      printPodsPerNode(client, out);
      if (keep) {
        operator.close();
        operator = null;
        cluster.leaveRunning();
        out.println();
        out.println("The cluster keeps running (the operator does not). Use it with:");
        out.println("  export KUBECONFIG=" + cluster.kubeconfig());
        out.println("  kubectl get hc,nodes");
        out.println("  ./homecluster operator --http-port 8080   # to run the operator again");
        out.println("Stop it with:");
        out.println("  " + cluster.stopCommand());
      }
      out.flush();
      return ready ? 0 : 1;
    } finally {
      if (operator != null) {
        operator.close();
      }
      if (!keep) {
        cluster.close();
      }
    }
  }

  private boolean waitForReady(KubernetesClient client, String name, PrintWriter out) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long start = System.nanoTime();
    String last = "";
    while (System.nanoTime() < deadline) {
      HomeCluster hc = client.resources(HomeCluster.class).withName(name).get();
      HomeClusterStatus status = hc == null ? null : hc.getStatus();
      String line = progress(status);
      if (!line.equals(last)) {
        out.printf("%6.1fs  %s%n", (System.nanoTime() - start) / 1e9, line);
        out.flush();
        last = line;
      }
      if (status != null && "True".equals(conditionStatus(status, "Ready"))
          && Objects.equals(status.getObservedGeneration(), hc.getMetadata().getGeneration())) {
        out.printf("demo: HomeCluster %s is Ready after %.1f s%n", name, (System.nanoTime() - start) / 1e9);
        return true;
      }
      Thread.sleep(500);
    }
    out.println("demo: HomeCluster " + name + " was not Ready within " + timeout);
    return false;
  }

  private static String progress(HomeClusterStatus status) {
    if (status == null) {
      return "waiting for the operator's first status";
    }
    String components =
        status.getComponents() == null
            ? ""
            : status.getComponents().stream()
                .map(c -> c.getName() + " " + c.getReady() + "/" + c.getDesired())
                .collect(Collectors.joining(", "));
    return "phase " + status.getPhase() + (components.isEmpty() ? "" : ": " + components);
  }

  private static String conditionStatus(HomeClusterStatus status, String type) {
    return status.getConditions() == null
        ? null
        : status.getConditions().stream()
            .filter(c -> type.equals(c.getType()))
            .map(Condition::getStatus)
            .findFirst()
            .orElse(null);
  }

  private static void printStatus(HomeCluster hc, PrintWriter out) {
    HomeClusterStatus status = hc.getStatus();
    out.println();
    out.println("HomeCluster " + hc.getMetadata().getName() + ": phase " + status.getPhase()
        + ", endpoint " + status.getEndpoint() + " served by " + status.getEndpointServers());
    out.printf("%-18s %-7s %-22s %s%n", "CONDITION", "STATUS", "REASON", "MESSAGE");
    for (Condition c : status.getConditions()) {
      out.printf("%-18s %-7s %-22s %s%n", c.getType(), c.getStatus(), c.getReason(), c.getMessage());
    }
    if (status.getComponents() != null) {
      out.println();
      out.printf("%-26s %-11s %s%n", "COMPONENT", "KIND", "READY");
      for (ComponentStatus c : status.getComponents()) {
        out.printf("%-26s %-11s %d/%d%n", c.getName(), c.getKind(), c.getReady(), c.getDesired());
      }
    }
    if (status.getNodes() != null) {
      out.println();
      out.printf("%-10s %-22s %-7s %s%n", "NODE", "ROLES", "READY", "COMPONENTS");
      for (NodeStatus n : status.getNodes()) {
        out.printf("%-10s %-22s %-7s %s%n", n.getName(), String.join(",", n.getRoles()), n.getReady(),
            n.getComponents() == null ? "" : String.join(", ", n.getComponents()));
      }
    }
  }

  private static void printPodsPerNode(KubernetesClient client, PrintWriter out) {
    List<Pod> pods = client.pods().inAnyNamespace().withLabel(Labels.MANAGED_BY, Names.OPERATOR).list().getItems();
    Map<String, List<String>> byNode = new TreeMap<>();
    for (Pod pod : pods) {
      String node = pod.getSpec().getNodeName() == null ? "(unscheduled)" : pod.getSpec().getNodeName();
      byNode.computeIfAbsent(node, n -> new java.util.ArrayList<>())
          .add(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + " "
              + pod.getStatus().getPhase());
    }
    out.println();
    out.println("Pods per node:");
    byNode.forEach((node, list) -> {
      out.println("  " + node);
      list.stream().sorted().forEach(p -> out.println("    " + p));
    });
  }
}
