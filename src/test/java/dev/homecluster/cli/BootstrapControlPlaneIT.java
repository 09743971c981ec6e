package dev.homecluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homecluster.sim.Cmd;
import dev.homecluster.sim.RealNode;
import dev.homecluster.sim.RealNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first half of issue #13's SelfHostedBootIT, on three real masters: docs/bootstrap.md steps
 * 2-4 with the whole {@code bootstrap-manifests/} on the first master. The rendered temporary
 * kube-apiserver, controller-manager and scheduler come up as static pods next to the 3-member
 * etcd, answer a user's {@code kubectl} with the rendered {@code auth/admin.conf}, the first
 * master's kubelet registers its Node with the rendered {@code kubelet.conf}, and the controllers
 * take their leases. Then the power goes out on all three masters at once, and the bootstrap
 * control plane must come back by itself with what was written to it.
 *
 * <p>Not covered yet (needs images this harness does not build: keepalived/HAProxy, flannel, the
 * checkpointer's kubectl): applying {@code manifests/}, the VIP, the pivot to the self-hosted
 * apiserver DaemonSet. Until the VIP exists the other masters' kubelets cannot register (they point
 * at it, docs step 4), so only the first master's Node is asserted.
 */
class BootstrapControlPlaneIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(180);
  private static final String FIRST = "master-1";

  @TempDir Path tmp;

  @Test
  void renderedBootstrapControlPlaneServesOnRealMastersAndComesBackAfterAPowerCut()
      throws Exception {
    String unsupported = RealNodes.unsupportedReason();
    assumeTrue(unsupported == null, unsupported);
    RealNodes.cleanLeftovers(); // a killed earlier run's nodes, and the sysctls it left changed
    Map<String, String> sysctlsBefore = RealBootstrap.sysctls();
    Path boot = RealBootstrap.render(tmp);
    List<String> manifests =
        List.of(
            "etcd.yaml",
            "kube-apiserver.yaml",
            "kube-controller-manager.yaml",
            "kube-scheduler.yaml");

    try (RealNodes lab = RealNodes.start(Path.of("target/real-nodes/BootstrapControlPlaneIT"))) {
      Map<String, String> images = new LinkedHashMap<>();
      for (String manifest : manifests) {
        images.put(manifest.replace(".yaml", ""), RealBootstrap.image(boot, manifest));
      }
      lab.images(images);
      List<RealNode> nodes = new ArrayList<>();
      RealBootstrap.MASTERS.forEach((name, ip) -> nodes.add(lab.add(name, ip)));
      RealBootstrap.copyToMasters(boot, nodes, manifests);
      Kubectl kubectl =
          new Kubectl(lab, boot.resolve("auth/admin.conf"), RealBootstrap.MASTERS.get(FIRST));

      long t0 = System.nanoTime();
      nodes.forEach(RealNode::powerOn);
      kubectl.awaitReady(nodes);
      Duration apiFirst = since(t0);
      JsonNode node = await("Node master-1 registered", () -> kubectl.json("get", "node", FIRST), n -> n != null);
      Duration nodeFirst = since(t0);
      assertThat(node.at("/status/nodeInfo/kubeletVersion").asText()).isEqualTo("v1.34.4");
      assertThat(internalIp(node)).isEqualTo(RealBootstrap.MASTERS.get(FIRST));
      Map<String, String> phases =
          await(
              "the first master's static pods mirrored and Running",
              kubectl::mirrorPodPhases,
              p -> p.size() == 4 && p.values().stream().allMatch("Running"::equals));
      Duration mirrorsFirst = since(t0);
      for (String lease : List.of("kube-controller-manager", "kube-scheduler")) {
        await(
            lease + " lease held by the temporary " + lease + " on " + FIRST,
            () -> kubectl.json("-n", "kube-system", "get", "lease", lease),
            l -> l != null && l.at("/spec/holderIdentity").asText().startsWith(FIRST));
      }
      Duration leasesFirst = since(t0);
      String value = UUID.randomUUID().toString();
      kubectl
          .run("-n", "default", "create", "configmap", "real-boot-probe", "--from-literal=v=" + value)
          .orThrow("kubectl create configmap");
      double apiStartedBefore = kubectl.apiserverStartTime();
      Map<String, Map<String, Long>> memory = new LinkedHashMap<>();
      for (RealNode n : nodes) {
        memory.put(n.name(), n.residentMemoryMiB());
      }
      assertThat(nodes.get(0).processes().values())
          .contains("kube-apiserver", "kube-controller", "kube-scheduler", "etcd", "kubelet");

      // Power cut of all three masters.
      Instant cut = Instant.now();
      nodes.forEach(RealNode::powerCut);
      nodes.forEach(n -> assertThat(n.processes()).as("%s after the cut", n.name()).isEmpty());
      assertThat(kubectl.run("get", "--raw", "/readyz").exit()).isNotZero();

      long t1 = System.nanoTime();
      nodes.forEach(RealNode::powerOn);
      kubectl.awaitReady(nodes);
      Duration apiBack = since(t1);
      for (String lease : List.of("kube-controller-manager", "kube-scheduler")) {
        await(
            lease + " lease renewed after the power came back",
            () -> kubectl.json("-n", "kube-system", "get", "lease", lease),
            l ->
                l != null
                    && l.at("/spec/holderIdentity").asText().startsWith(FIRST)
                    && OffsetDateTime.parse(l.at("/spec/renewTime").asText())
                        .toInstant()
                        .isAfter(cut));
      }
      Duration leasesBack = since(t1);
      assertThat(
              kubectl
                  .run("-n", "default", "get", "configmap", "real-boot-probe", "-o", "jsonpath={.data.v}")
                  .orThrow("kubectl get configmap")
                  .out())
          .isEqualTo(value);
      assertThat(kubectl.apiserverStartTime())
          .as("a new kube-apiserver process, started after the power came back")
          .isGreaterThan(cut.getEpochSecond())
          .isGreaterThan(apiStartedBefore);
      Map<String, String> phasesBack =
          await(
              "mirror pods Running again",
              kubectl::mirrorPodPhases,
              p -> p.size() == 4 && p.values().stream().allMatch("Running"::equals));

      System.out.printf(
          "BootstrapControlPlaneIT: first power-on: /readyz ok %.1f s, Node master-1 %.1f s,"
              + " mirror pods Running %.1f s, leases %.1f s (%s); after the power cut of all three masters: /readyz ok %.1f s,"
              + " leases renewed %.1f s, data kept (%s); resident memory MiB per node: %s%n",
          seconds(apiFirst),
          seconds(nodeFirst),
          seconds(mirrorsFirst),
          seconds(leasesFirst),
          phases,
          seconds(apiBack),
          seconds(leasesBack),
          phasesBack,
          memory);
    }
    assertThat(Cmd.run(Duration.ofSeconds(5), "ip", "netns", "list").out())
        .doesNotContain(RealNodes.PREFIX + "-");
    assertThat(RealBootstrap.sysctls()).isEqualTo(sysctlsBefore);
  }

  private static String internalIp(JsonNode node) {
    for (JsonNode address : node.at("/status/addresses")) {
      if (address.get("type").asText().equals("InternalIP")) {
        return address.get("address").asText();
      }
    }
    return null;
  }

  private static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static <T> T await(String what, Supplier<T> value, Predicate<T> done) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    T last = value.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + TIMEOUT + "; last seen: " + last);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = value.get();
    }
    return last;
  }

  /**
   * kubectl (Debian's) from the lab network with the rendered {@code auth/admin.conf}, against the
   * first master's own apiserver as docs/bootstrap.md step 4 says (no VIP yet).
   */
  private static final class Kubectl {
    private final RealNodes lab;
    private final Path kubeconfig;
    private final String server;

    Kubectl(RealNodes lab, Path kubeconfig, String firstMaster) {
      this.lab = lab;
      this.kubeconfig = kubeconfig;
      this.server = "https://" + firstMaster + ":6443";
    }

    Cmd.Result run(String... args) {
      List<String> command =
          new ArrayList<>(
              List.of(
                  "kubectl",
                  "--kubeconfig=" + kubeconfig,
                  "--server=" + server,
                  "--request-timeout=5s"));
      command.addAll(List.of(args));
      return lab.inLab(Duration.ofSeconds(20), command.toArray(String[]::new));
    }

    /** The object as JSON, or null when it does not exist (yet) or the API does not answer. */
    JsonNode json(String... args) {
      List<String> full = new ArrayList<>(List.of(args));
      full.addAll(List.of("-o", "json"));
      Cmd.Result result = run(full.toArray(String[]::new));
      if (result.exit() != 0) {
        return null;
      }
      try {
        return JSON.readTree(result.out());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void awaitReady(List<RealNode> nodes) {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      Cmd.Result last = null;
      while (System.nanoTime() < deadline) {
        last = run("get", "--raw", "/readyz");
        if (last.exit() == 0 && last.out().strip().equals("ok")) {
          return;
        }
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      throw new AssertionError(
          "the bootstrap apiserver did not answer /readyz within "
              + TIMEOUT
              + ": "
              + last
              + "\n--- master-1 kubelet.log (end):\n"
              + RealBootstrap.tail(nodes.get(0).log("kubelet.log"), 40)
              + "\n--- master-1 pod logs: "
              + nodes.get(0).log("pods"));
    }

    /** Name -> phase of the mirror pods of the first master's static pods. */
    Map<String, String> mirrorPodPhases() {
      JsonNode pods = json("-n", "kube-system", "get", "pods");
      if (pods == null) {
        return Map.of();
      }
      Map<String, String> phases = new LinkedHashMap<>();
      for (JsonNode pod : pods.get("items")) {
        if (pod.at("/metadata/annotations").has("kubernetes.io/config.mirror")) {
          phases.put(pod.at("/metadata/name").asText(), pod.at("/status/phase").asText());
        }
      }
      return phases;
    }

    /** process_start_time_seconds of the apiserver that answered (its /metrics). */
    double apiserverStartTime() {
      return run("get", "--raw", "/metrics").orThrow("kubectl get --raw /metrics").out().lines()
          .filter(l -> l.startsWith("process_start_time_seconds "))
          .map(l -> Double.parseDouble(l.split(" ")[1]))
          .findFirst()
          .orElseThrow();
    }
  }
}
