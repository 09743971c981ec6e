package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kube-apiserver of the simulated cluster's build, on loopback with its own etcd, run
 * with the audit and profiling flags exactly as rendered (only the paths point into a temporary
 * directory): it accepts the policy, and its log has what the policy promises; and every flag the
 * rendered command lines use exists in the real binaries. An integration test, so that the build
 * of the simulated cluster (pre-integration-test) has run; it fails without it under failsafe.
 */
class ApiServerAuditLogIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "audit-test-token";

  @TempDir Path dir;

  @Test
  void theRealApiserverLogsSecretsWithoutContentWritesWithBodiesAndNoProbes() throws Exception {
    Path apiserverBinary = simBinary("kube-apiserver");
    Path etcdBinary = simBinary("etcd");
    requireBuilt(apiserverBinary, etcdBinary);
    Files.writeString(dir.resolve(ApiServerAuditPolicy.FILE), ApiServerAuditPolicy.yaml());
    Files.writeString(dir.resolve("tokens.csv"), TOKEN + ",audit-admin,1,\"system:masters\"\n");
    writeServiceAccountKeys();
    int etcdPort = freePort();
    int peerPort = freePort();
    int apiPort = freePort();
    List<String> flags = renderedAuditAndProfilingFlags();
    assertThat(flags).hasSize(6);

    Process etcd = null;
    Process apiserver = null;
    try {
      etcd = start(dir.resolve("etcd.log"), etcdBinary.toString(), "--data-dir=" + dir.resolve("etcd"),
          "--listen-client-urls=http://127.0.0.1:" + etcdPort, "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
          "--listen-peer-urls=http://127.0.0.1:" + peerPort, "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort,
          "--initial-cluster=default=http://127.0.0.1:" + peerPort);
      List<String> command = new ArrayList<>(List.of(apiserverBinary.toString(),
          "--etcd-servers=http://127.0.0.1:" + etcdPort, "--bind-address=127.0.0.1", "--secure-port=" + apiPort,
          "--cert-dir=" + dir.resolve("certs"), "--authorization-mode=AlwaysAllow",
          "--token-auth-file=" + dir.resolve("tokens.csv"), "--service-cluster-ip-range=10.96.0.0/12",
          "--service-account-issuer=https://kubernetes.default.svc", "--service-account-key-file=" + dir.resolve("sa.pub"),
          "--service-account-signing-key-file=" + dir.resolve("sa.key")));
      // The rendered flags, with the pod's paths moved into the test's directory.
      for (String flag : flags) {
        command.add(flag.replace(ApiServerDaemonSet.PKI_DIR, dir.toString()).replace(ApiServerAuditPolicy.LOG_DIR, dir.resolve("audit").toString()));
      }
      apiserver = start(dir.resolve("apiserver.log"), command.toArray(String[]::new));
      String base = "https://127.0.0.1:" + apiPort;
      awaitReady(apiserver, base);

      assertThat(curl("GET", base + "/livez", null)).isEqualTo("200");
      assertThat(curl("POST", base + "/api/v1/namespaces/default/secrets",
          "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s1\"},\"stringData\":{\"password\":\"hunter2-audit\"}}"))
          .isEqualTo("201");
      assertThat(curl("POST", base + "/api/v1/namespaces/default/services",
          "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"svc1\"},\"spec\":{\"ports\":[{\"port\":80}]}}"))
          .isEqualTo("201");
      assertThat(curl("GET", base + "/api/v1/namespaces/default/pods", null)).isEqualTo("200");
      // --profiling=false: no pprof handler at all.
      assertThat(curl("GET", base + "/debug/pprof/", null)).isEqualTo("404");

      Path log = dir.resolve("audit/audit.log");
      List<JsonNode> ours = awaitEvents(log, 4);
      assertThat(ours).noneMatch(e -> e.get("requestURI").asText().startsWith("/livez"));
      assertThat(ours).noneMatch(e -> e.get("stage").asText().equals("RequestReceived"));
      JsonNode secret = find(ours, "create", "/api/v1/namespaces/default/secrets");
      assertThat(secret.get("level").asText()).isEqualTo("Metadata");
      assertThat(secret.has("requestObject")).isFalse();
      JsonNode service = find(ours, "create", "/api/v1/namespaces/default/services");
      assertThat(service.get("level").asText()).isEqualTo("Request");
      assertThat(service.get("requestObject").get("metadata").get("name").asText()).isEqualTo("svc1");
      assertThat(find(ours, "list", "/api/v1/namespaces/default/pods").get("level").asText()).isEqualTo("Metadata");
      // The Secret's value is nowhere in the log, in any event of any user.
      assertThat(Files.readString(log)).doesNotContain("hunter2-audit", Base64.getEncoder().encodeToString("hunter2-audit".getBytes()));
    } finally {
      stop(apiserver);
      stop(etcd);
    }
  }

  private static List<String> renderedAuditAndProfilingFlags() {
    DaemonSet daemonSet =
        Rendered.find(Rendered.component(Examples.HOME, Names.KUBE_APISERVER), DaemonSet.class, Names.KUBE_APISERVER);
    return daemonSet.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand().stream()
        .filter(f -> f.startsWith("--audit-") || f.startsWith("--profiling"))
        .toList();
  }

  /**
   * Every flag the three rendered command lines use exists in the real binaries of the
   * simulated cluster (the same Kubernetes version), when that build is present.
   */
  @Test
  void theRealBinariesKnowEveryFlag() throws Exception {
    for (String component : List.of(Names.KUBE_APISERVER, Names.KUBE_CONTROLLER_MANAGER, Names.KUBE_SCHEDULER)) {
      Path binary = simBinary(component);
      requireBuilt(binary);
      Process help = new ProcessBuilder(binary.toString(), "--help").redirectErrorStream(true).start();
      String out = new String(help.getInputStream().readAllBytes());
      help.waitFor();
      List<String> command = new ArrayList<>(commandOf(component));
      command.remove(0);
      assertThat(command)
          .as(component)
          .allSatisfy(flag -> assertThat(out).contains(" " + flag.substring(0, flag.indexOf('=') > 0 ? flag.indexOf('=') : flag.length()) + " "));
    }
  }

  private static List<String> commandOf(String component) {
    var objects = Rendered.component(Examples.HOME, component);
    if (component.equals(Names.KUBE_APISERVER)) {
      return Rendered.find(objects, DaemonSet.class, component).getSpec().getTemplate().getSpec().getContainers().get(0).getCommand();
    }
    return Rendered.find(objects, Deployment.class, component).getSpec().getTemplate().getSpec().getContainers().get(0).getCommand();
  }

  /** Under failsafe the simulated cluster was built first, so a missing binary is a failure. */
  private static void requireBuilt(Path... binaries) {
    boolean built = java.util.Arrays.stream(binaries).allMatch(java.util.Objects::nonNull);
    if (Boolean.getBoolean("homecluster.sim.prebuilt")) {
      assertThat(built).as("the simulated cluster's binaries (src/sim/build.sh ran in pre-integration-test)").isTrue();
    }
    Assumptions.assumeTrue(built, "no simulated cluster build");
  }

  private void writeServiceAccountKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    Files.writeString(dir.resolve("sa.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Files.writeString(dir.resolve("sa.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private String curl(String method, String url, String body) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
        "-H", "Authorization: Bearer " + TOKEN, "-X", method, url));
    if (body != null) {
      command.addAll(List.of("-H", "Content-Type: application/json", "-d", body));
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes()).strip();
    process.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  private void awaitReady(Process apiserver, String base) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (Instant.now().isBefore(deadline)) {
      if (!apiserver.isAlive()) {
        throw new AssertionError("kube-apiserver exited: " + Files.readString(dir.resolve("apiserver.log")));
      }
      if ("200".equals(curl("GET", base + "/readyz", null))) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("kube-apiserver not ready in 90 s: " + Files.readString(dir.resolve("apiserver.log")));
  }

  /** The events of the test's user, once at least {@code count} of them are complete. */
  private static List<JsonNode> awaitEvents(Path log, int count) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    List<JsonNode> ours = List.of();
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(log)) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
          JsonNode event = JSON.readTree(line);
          if (event.path("user").path("username").asText().equals("audit-admin")) {
            events.add(event);
          }
        }
        ours = events;
        if (events.stream().filter(e -> e.get("stage").asText().equals("ResponseComplete")).count() >= count) {
          return events;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("audit log has only " + ours);
  }

  private static JsonNode find(List<JsonNode> events, String verb, String uri) {
    return events.stream()
        .filter(e -> e.get("verb").asText().equals(verb) && e.get("requestURI").asText().equals(uri)
            && e.get("stage").asText().equals("ResponseComplete"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + verb + " " + uri + " in " + events));
  }

  private static Process start(Path logFile, String... command) throws IOException {
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
  }

  private static void stop(Process process) throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Path simBinary(String name) {
    List<Path> candidates = new ArrayList<>();
    String simDir = System.getenv("HOMECLUSTER_SIM_DIR");
    if (simDir != null) {
      candidates.add(Path.of(simDir, "bin", name));
    }
    candidates.add(Examples.repoRoot().resolve(".sim/bin/" + name));
    return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }
}
