package dev.homecluster.sim;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A real Kubernetes control plane on 127.0.0.1 with simulated nodes: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler built from upstream sources by {@code
 * src/sim/build.sh}, and the kwok controller playing the kubelet of every fake Node. Started by
 * {@code simctl up} as a child process, which stops every component when this JVM goes away.
 *
 * <pre>{@code
 * try (SimulatedCluster sim = SimulatedCluster.start(Path.of("target/sim"))) {
 *   sim.installCrds();
 *   sim.createNodes(homeCluster);
 *   sim.client().pods().inNamespace("default").list();
 * }
 * }</pre>
 */
public final class SimulatedCluster implements AutoCloseable {
  /** How long {@code simctl up} may take, binaries built. */
  static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  private static final Duration NODE_READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path repo;
  private final Path bin;
  private final Path stateDir;

  /** simctl up running as our child, or null when it runs detached. */
  private final Process process;

  private final Path kubeconfig;
  private final String server;
  private final Duration startTime;
  private final KubernetesClient client;
  private final Thread shutdownHook;
  private boolean closed;

  private SimulatedCluster(
      Path repo,
      Path bin,
      Path stateDir,
      Process process,
      Path kubeconfig,
      String server,
      Duration took) {
    this.repo = repo;
    this.bin = bin;
    this.stateDir = stateDir;
    this.process = process;
    this.kubeconfig = kubeconfig;
    this.server = server;
    this.startTime = took;
    this.client = newClient();
    this.shutdownHook = new Thread(this::stop, "simulated-cluster-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Builds what is missing (once per JVM), then starts a fresh cluster whose kubeconfig,
   * certificates, etcd data and logs live in {@code stateDir}. Any earlier data there is discarded.
   * The cluster stops on {@link #close()} and, at the latest, when this JVM exits (even when it is
   * killed).
   */
  public static SimulatedCluster start(Path stateDir) {
    Path bin = SimBuild.ensureBuilt();
    return start(SimBuild.repoRoot(), bin, stateDir.toAbsolutePath().normalize(), false);
  }

  /**
   * Like {@link #start(Path)}, but the cluster runs in the background, independent of this JVM: it
   * stops on {@link #close()} or a JVM shutdown, unless {@link #leaveRunning()} was called; then
   * {@link #stopCommand()} stops it.
   */
  public static SimulatedCluster startDetached(Path stateDir) {
    Path bin = SimBuild.ensureBuilt();
    return start(SimBuild.repoRoot(), bin, stateDir.toAbsolutePath().normalize(), true);
  }

  private static SimulatedCluster start(Path repo, Path bin, Path stateDir, boolean detached) {
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new SimulatedClusterException("cannot create " + stateDir + ": " + e.getMessage(), e);
    }
    // Detached, simctl writes simctl.log itself; only the starting process's output goes here.
    Path log = stateDir.resolve(detached ? "simctl-up.log" : "simctl.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                bin.resolve("simctl").toString(),
                "up",
                "--state-dir",
                stateDir.toString(),
                "--bin-dir",
                bin.toString(),
                detached ? "--detach" : "--exit-with-parent",
                "--timeout",
                START_TIMEOUT.toSeconds() + "s")
            .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.PIPE);
    long began = System.nanoTime();
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new SimulatedClusterException("cannot run " + bin.resolve("simctl") + ": " + e, e);
    }
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(() -> readyLine(process.getInputStream()));
    String line;
    try {
      line = ready.get(START_TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      process.destroy();
      throw new SimulatedClusterException(
          "the simulated cluster did not start within " + START_TIMEOUT + "; " + logTail(log));
    } catch (ExecutionException e) {
      process.destroy();
      throw new SimulatedClusterException("reading simctl's output failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      throw new SimulatedClusterException("interrupted while starting the simulated cluster", e);
    }
    if (line == null) {
      waitQuietly(process);
      throw new SimulatedClusterException(
          "the simulated cluster failed to start (simctl exit "
              + exitCode(process)
              + "); "
              + logTail(log));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - began);
    Path kubeconfig = Path.of(field(line, "kubeconfig"));
    if (detached) {
      waitQuietly(process);
    }
    return new SimulatedCluster(
        repo, bin, stateDir, detached ? null : process, kubeconfig, field(line, "server"), took);
  }

  /** Reads simctl's stdout up to its "ready ..." line; null when it ends without one. */
  private static String readyLine(InputStream stdout) {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8));
    try {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("ready ")) {
          // Keep draining stdout so that simctl never blocks on a full pipe.
          Thread drain =
              new Thread(
                  () -> {
                    try {
                      reader.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException ignored) {
                      // simctl has exited
                    }
                  },
                  "simctl-stdout");
          drain.setDaemon(true);
          drain.start();
          return line;
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String field(String readyLine, String name) {
    for (String part : readyLine.split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    throw new SimulatedClusterException("simctl's ready line has no " + name + ": " + readyLine);
  }

  private static String logTail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - 25), lines.size());
      return "the end of " + log + ":\n  " + String.join("\n  ", tail);
    } catch (IOException e) {
      return "no log at " + log;
    }
  }

  /** The admin kubeconfig (client certificate in group system:masters). */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The API server URL, https://127.0.0.1:PORT. */
  public String server() {
    return server;
  }

  /** The folder given to {@link #start}: kubeconfig, pki/, etcd/, logs/ (one log per component). */
  public Path stateDir() {
    return stateDir;
  }

  /** Time from launching simctl to a ready control plane. */
  public Duration startTime() {
    return startTime;
  }

  /** An admin client, closed by {@link #close()}. */
  public KubernetesClient client() {
    return client;
  }

  /** A new admin client that the caller closes. */
  public KubernetesClient newClient() {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException e) {
      throw new SimulatedClusterException("cannot read " + kubeconfig + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates one fake Node per machine of the HomeCluster's spec.nodes and waits until all are
   * Ready.
   */
  public List<Node> createNodes(HomeCluster homeCluster) {
    List<NodeSpec> specs = homeCluster.getSpec().getNodes();
    return createNodes(specs.stream().map(FakeNode::from).toList());
  }

  /** Creates the fake Nodes and waits until the kwok controller has made each Ready. */
  public List<Node> createNodes(List<FakeNode> nodes) {
    for (FakeNode node : nodes) {
      try {
        client.nodes().resource(node.toNode()).create();
      } catch (KubernetesClientException e) {
        throw new SimulatedClusterException(
            "creating fake node " + node.name() + " failed: " + e.getMessage(), e);
      }
    }
    // One poll of the Node list for all of them: faster than one watch per node.
    Set<String> names = nodes.stream().map(FakeNode::name).collect(Collectors.toSet());
    long deadline = System.nanoTime() + NODE_READY_TIMEOUT.toNanos();
    while (true) {
      List<Node> ready =
          client.nodes().list().getItems().stream()
              .filter(n -> names.contains(n.getMetadata().getName()))
              .filter(SimulatedCluster::isReady)
              .toList();
      if (ready.size() == names.size()) {
        return ready;
      }
      if (System.nanoTime() > deadline) {
        Set<String> notReady = new TreeSet<>(names);
        ready.forEach(n -> notReady.remove(n.getMetadata().getName()));
        throw new SimulatedClusterException(
            "fake nodes "
                + notReady
                + " did not become Ready within "
                + NODE_READY_TIMEOUT
                + ": is kwok running? see "
                + stateDir.resolve("logs/kwok.log"));
      }
      sleep(Duration.ofMillis(100));
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SimulatedClusterException("interrupted while waiting for the simulated cluster", e);
    }
  }

  /** True when the Node's Ready condition is True. */
  public static boolean isReady(Node node) {
    if (node == null || node.getStatus() == null || node.getStatus().getConditions() == null) {
      return false;
    }
    return node.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * Applies every CustomResourceDefinition in {@code crds/} of the repository and waits until each
   * is Established. Returns their names.
   */
  public List<String> installCrds() {
    return CrdInstaller.installFolder(client, repo.resolve("crds"));
  }

  /** Where the real Rook CRDs are expected: see {@link CrdInstaller#rookCrdsFile(Path)}. */
  public Path rookCrdsFile() {
    return CrdInstaller.rookCrdsFile(repo);
  }

  /**
   * Installs the real Rook CRDs when {@link #rookCrdsFile()} exists; otherwise returns empty, so
   * that a test can skip with that reason.
   */
  public Optional<List<String>> installRookCrds() {
    Path file = rookCrdsFile();
    return Files.isRegularFile(file)
        ? Optional.of(CrdInstaller.installFile(client, file))
        : Optional.empty();
  }

  /** Applies the CRDs of one YAML file (server-side apply) and waits until each is Established. */
  public List<String> installCrds(Path yaml) {
    return CrdInstaller.installFile(client, yaml);
  }

  /** The shell command that stops this cluster, for a cluster left running. */
  public String stopCommand() {
    return bin.resolve("simctl") + " down --state-dir " + stateDir;
  }

  /**
   * Closes the client and leaves a cluster started with {@link #startDetached} running after this
   * JVM exits; {@link #stopCommand()} stops it.
   */
  public synchronized void leaveRunning() {
    if (process != null) {
      throw new IllegalStateException(
          "this cluster stops with its JVM; start it with startDetached to leave it running");
    }
    if (closed) {
      return;
    }
    closed = true;
    client.close();
    removeShutdownHook();
  }

  /** Stops every component (simctl stops them in reverse order of start) and closes the client. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    client.close();
    removeShutdownHook();
    stop();
  }

  private void removeShutdownHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs or ran
    }
  }

  private void stop() {
    if (process == null) {
      runDown();
      return;
    }
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void runDown() {
    try {
      Process down =
          new ProcessBuilder(
                  bin.resolve("simctl").toString(), "down", "--state-dir", stateDir.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!down.waitFor(90, TimeUnit.SECONDS)) {
        down.destroyForcibly();
      }
    } catch (IOException e) {
      System.err.println(
          "[sim] could not stop the cluster: " + e.getMessage() + "; run " + stopCommand());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitQuietly(Process process) {
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String exitCode(Process process) {
    return process.isAlive() ? "none, still running" : String.valueOf(process.exitValue());
  }
}
