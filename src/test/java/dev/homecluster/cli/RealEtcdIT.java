package dev.homecluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homecluster.bootstrap.BootstrapEtcdPod;
import dev.homecluster.sim.Cmd;
import dev.homecluster.sim.RealNode;
import dev.homecluster.sim.RealNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first thing a user of {@code render --bootstrap} relies on, on real machines: the rendered
 * etcd static pods, started by real kubelets on three real masters (docs/bootstrap.md steps 2-4,
 * etcd only: the temporary control plane is left out), form one 3-member etcd cluster over TLS
 * with one leader, and after a power cut of all three masters at once the cluster comes back by
 * itself with its data. Real nodes: see docs/testing.md, "Real nodes".
 */
class RealEtcdIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  @Test
  void renderedEtcdFormsATlsQuorumOnRealMastersAndKeepsItsDataThroughAPowerCut() throws Exception {
    String unsupported = RealNodes.unsupportedReason();
    assumeTrue(unsupported == null, unsupported);
    RealNodes.cleanLeftovers(); // a killed earlier run's nodes, and the sysctls it left changed
    Map<String, String> sysctlsBefore = RealBootstrap.sysctls();

    // Steps 2 and 3: render the documented cluster moved onto the lab network; copy its files.
    Path boot = RealBootstrap.render(tmp);
    Map<String, String> masters = RealBootstrap.MASTERS;
    try (RealNodes lab = RealNodes.start(Path.of("target/real-nodes/RealEtcdIT"))) {
      lab.images(Map.of("etcd", RealBootstrap.image(boot, "etcd.yaml")));
      List<RealNode> nodes = new ArrayList<>();
      masters.forEach((name, ip) -> nodes.add(lab.add(name, ip)));
      RealBootstrap.copyToMasters(boot, nodes, List.of("etcd.yaml"));
      Etcdctl etcdctl = new Etcdctl(lab, boot.resolve("tls/homecluster-etcd-client"), masters);

      // Step 4: start the kubelets; etcd must form its cluster by itself.
      long t0 = System.nanoTime();
      nodes.forEach(RealNode::powerOn);
      Map<String, Long> leaderAfterBoot = etcdctl.awaitQuorum(BOOT_TIMEOUT, nodes);
      Duration firstBoot = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(etcdctl.memberNames()).containsExactlyInAnyOrderElementsOf(masters.keySet());
      String value = UUID.randomUUID().toString();
      long revision = etcdctl.put("/homecluster/real-etcd-it", value);
      Map<String, Double> startedBefore = etcdStartTimes(nodes);
      Map<String, Map<String, Long>> memory = new LinkedHashMap<>();
      for (RealNode node : nodes) {
        assertThat(node.processes().values())
            .as("what runs on %s", node.name())
            .contains("kubelet", "containerd", "containerd-shim", "pause", "etcd");
        memory.put(node.name(), node.residentMemoryMiB());
      }

      // The power cut: every process of all three masters dies at once.
      Instant cut = Instant.now();
      Map<String, Duration> dying = new LinkedHashMap<>();
      nodes.forEach(n -> dying.put(n.name(), n.powerCut()));
      nodes.forEach(n -> assertThat(n.processes()).as("%s after the cut", n.name()).isEmpty());
      assertThat(etcdctl.healthy()).as("no member answers while the power is off").isEmpty();

      long t1 = System.nanoTime();
      nodes.forEach(RealNode::powerOn);
      Map<String, Long> leaderAfterCut = etcdctl.awaitQuorum(BOOT_TIMEOUT, nodes);
      Duration recovery = Duration.ofNanos(System.nanoTime() - t1);
      assertThat(etcdctl.get("/homecluster/real-etcd-it")).isEqualTo(value);
      assertThat(etcdctl.revision()).isGreaterThanOrEqualTo(revision);
      assertThat(etcdctl.memberNames()).containsExactlyInAnyOrderElementsOf(masters.keySet());
      Map<String, Double> startedAfter = etcdStartTimes(nodes);
      for (RealNode node : nodes) {
        assertThat(startedAfter.get(node.name()))
            .as("%s's etcd is a new process, started after the power came back", node.name())
            .isGreaterThan(cut.getEpochSecond())
            .isGreaterThan(startedBefore.get(node.name()));
      }

      System.out.printf(
          "RealEtcdIT: 3 members healthy, one leader %s %.1f s after the first power-on;"
              + " power cut: processes dead in %s; quorum back with data %.1f s after power-on"
              + " (leader %s); resident memory MiB per node: %s%n",
          leaderAfterBoot,
          firstBoot.toMillis() / 1000.0,
          dying.entrySet().stream()
              .map(e -> e.getKey() + " " + e.getValue().toMillis() + " ms")
              .collect(Collectors.joining(", ")),
          recovery.toMillis() / 1000.0,
          leaderAfterCut,
          memory);
    }

    // Nothing left on the host: namespaces gone, the sysctls the kubelets wrote restored.
    assertThat(Cmd.run(Duration.ofSeconds(5), "ip", "netns", "list").out())
        .doesNotContain(RealNodes.PREFIX + "-");
    assertThat(RealBootstrap.sysctls()).isEqualTo(sysctlsBefore);
  }

  /** etcd's own process start time (its /metrics on the node's 127.0.0.1:2381), per node. */
  private static Map<String, Double> etcdStartTimes(List<RealNode> nodes) {
    Map<String, Double> started = new LinkedHashMap<>();
    for (RealNode node : nodes) {
      String metrics =
          node.inNetns(
                  Duration.ofSeconds(10),
                  "curl", "-sf", "http://127.0.0.1:" + BootstrapEtcdPod.METRICS_PORT + "/metrics")
              .orThrow("etcd metrics on " + node.name())
              .out();
      started.put(
          node.name(),
          metrics
              .lines()
              .filter(l -> l.startsWith("process_start_time_seconds "))
              .map(l -> Double.parseDouble(l.split(" ")[1]))
              .findFirst()
              .orElseThrow());
    }
    return started;
  }

  /**
   * etcdctl (Debian's etcd-client) from the lab network, as a user's workstation on the LAN, with
   * the rendered client certificate of {@code homecluster-etcd-client}.
   */
  private static final class Etcdctl {
    private final RealNodes lab;
    private final Path tls;
    private final List<String> endpoints;

    Etcdctl(RealNodes lab, Path tls, Map<String, String> masters) {
      this.lab = lab;
      this.tls = tls;
      this.endpoints =
          masters.values().stream()
              .map(ip -> "https://" + ip + ":" + BootstrapEtcdPod.CLIENT_PORT)
              .toList();
    }

    private Cmd.Result run(List<String> endpoints, String... args) {
      List<String> command =
          new ArrayList<>(
              List.of(
                  "env",
                  "ETCDCTL_API=3",
                  "etcdctl",
                  "--endpoints=" + String.join(",", endpoints),
                  "--cacert=" + tls.resolve("ca.crt"),
                  "--cert=" + tls.resolve("tls.crt"),
                  "--key=" + tls.resolve("tls.key"),
                  "--dial-timeout=2s",
                  "--command-timeout=3s"));
      command.addAll(List.of(args));
      return lab.inLab(Duration.ofSeconds(20), command.toArray(String[]::new));
    }

    /** The endpoints that answer healthy now. */
    Set<String> healthy() {
      Set<String> healthy = new TreeSet<>();
      for (String endpoint : endpoints) {
        Cmd.Result result = run(List.of(endpoint), "endpoint", "health");
        if (result.exit() == 0 && (result.out() + result.err()).contains("is healthy")) {
          healthy.add(endpoint);
        }
      }
      return healthy;
    }

    /** Member ID -> leader it reports, per endpoint; empty when an endpoint does not answer. */
    Map<String, Long> leaders() {
      Map<String, Long> leaders = new LinkedHashMap<>();
      Cmd.Result result = run(endpoints, "endpoint", "status", "-w", "json");
      if (result.exit() != 0) {
        return leaders;
      }
      try {
        for (JsonNode status : JSON.readTree(result.out())) {
          leaders.put(
              status.get("Endpoint").asText(), status.get("Status").get("leader").asLong());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return leaders;
    }

    /**
     * Waits until every member is healthy over TLS and all three name the same single leader;
     * returns endpoint -> leader. Fails with the nodes' kubelet logs' ends when it does not.
     */
    Map<String, Long> awaitQuorum(Duration timeout, List<RealNode> nodes) {
      long deadline = System.nanoTime() + timeout.toNanos();
      Set<String> healthy = Set.of();
      Map<String, Long> leaders = Map.of();
      while (System.nanoTime() < deadline) {
        healthy = healthy();
        if (healthy.size() == endpoints.size()) {
          leaders = leaders();
          if (leaders.size() == endpoints.size()
              && new TreeSet<>(leaders.values()).size() == 1
              && !leaders.containsValue(0L)) {
            return leaders;
          }
        }
        RealNodesSleep.millis(300);
      }
      StringBuilder logs = new StringBuilder();
      for (RealNode node : nodes) {
        logs.append("\n--- ").append(node.name()).append(" kubelet.log (end):\n");
        logs.append(RealBootstrap.tail(node.log("kubelet.log"), 25));
        logs.append("\n--- ").append(node.name()).append(" containerd.log (end):\n");
        logs.append(RealBootstrap.tail(node.log("containerd.log"), 10));
      }
      throw new AssertionError(
          "etcd did not reach 3 healthy members with one leader within "
              + timeout
              + "; healthy: "
              + healthy
              + ", leaders: "
              + leaders
              + logs);
    }

    List<String> memberNames() {
      try {
        JsonNode list =
            JSON.readTree(run(endpoints, "member", "list", "-w", "json").orThrow("member list").out());
        List<String> names = new ArrayList<>();
        list.get("members").forEach(m -> names.add(m.get("name").asText()));
        return names;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    long put(String key, String value) {
      run(endpoints, "put", key, value).orThrow("etcdctl put");
      return revision();
    }

    String get(String key) {
      return run(endpoints, "get", "--print-value-only", key).orThrow("etcdctl get").out().strip();
    }

    long revision() {
      try {
        JsonNode status =
            JSON.readTree(
                run(List.of(endpoints.get(0)), "endpoint", "status", "-w", "json")
                    .orThrow("endpoint status")
                    .out());
        return status.get(0).get("Status").get("header").get("revision").asLong();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Short pauses between polls. */
  private static final class RealNodesSleep {
    static void millis(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
