package dev.homecluster.render.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homecluster.testing.Examples;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd-snapshot.sh against a real etcd started on random loopback ports, serving TLS and
 * requiring client certificates issued by a CA this test makes. Uses the etcd built for the
 * simulated cluster ({@code .sim/bin}) when present, else Debian's etcd-server and etcd-client.
 */
class EtcdSnapshotScriptTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private static Process etcd;
  private static String endpoint;
  private static Path etcdctl;
  private static Path etcdutl;
  private static Path pki;

  @BeforeAll
  static void startEtcd() throws Exception {
    Path server = tool("etcd", "etcd-server");
    etcdctl = tool("etcdctl", "etcd-client");
    etcdutl = optionalTool("etcdutl");
    pki = Files.createDirectories(tmp.resolve("pki"));
    TestCertificates ca = new TestCertificates("etcd-ca");
    ca.writeCa(pki.resolve("ca.crt"));
    ca.writeServer(pki.resolve("server.crt"), pki.resolve("server.key"));
    ca.writeClient(pki.resolve("tls.crt"), pki.resolve("tls.key"));
    TestCertificates stranger = new TestCertificates("someone-else");
    stranger.writeClient(pki.resolve("stranger.crt"), pki.resolve("stranger.key"));

    int clientPort = freePort();
    int peerPort = freePort();
    endpoint = "https://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    etcd =
        new ProcessBuilder(
                server.toString(),
                "--name=test",
                "--data-dir=" + tmp.resolve("data"),
                "--listen-client-urls=" + endpoint,
                "--advertise-client-urls=" + endpoint,
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=test=" + peer,
                "--cert-file=" + pki.resolve("server.crt"),
                "--key-file=" + pki.resolve("server.key"),
                "--trusted-ca-file=" + pki.resolve("ca.crt"),
                "--client-cert-auth")
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("etcd.log").toFile())
            .start();
    waitForPort(clientPort, Duration.ofSeconds(30));
    for (int i = 0; i < 50; i++) {
      etcdctl("put", "/registry/test/key-" + i, "value-" + i);
    }
  }

  @AfterAll
  static void stopEtcd() throws InterruptedException {
    if (etcd != null) {
      etcd.destroy();
      etcd.waitFor();
    }
  }

  private static Map<String, String> env(Path snapshotDir, int keep, String cert, String key) {
    Map<String, String> env = new HashMap<>();
    env.put("ETCD_ENDPOINTS", endpoint);
    env.put("ETCD_CACERT", pki.resolve("ca.crt").toString());
    env.put("ETCD_CERT", pki.resolve(cert).toString());
    env.put("ETCD_KEY", pki.resolve(key).toString());
    env.put("ETCDCTL", etcdctl.toString());
    env.put("ETCDUTL", etcdutl == null ? "etcdutl-not-installed" : etcdutl.toString());
    env.put("SNAPSHOT_DIR", snapshotDir.toString());
    env.put("KEEP", String.valueOf(keep));
    env.put("TERMINATION_LOG", snapshotDir.resolveSibling(snapshotDir.getFileName() + "-termination-log").toString());
    return env;
  }

  @Test
  void savesAVerifiedSnapshotAndKeepsOnlyTheNewestOfItsOwnFiles() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("keep-two"));
    List<String> foreign = List.of("notes.txt", "etcd-before-upgrade.db", "etcd-20200101T000000Z.db.bak");
    for (String name : foreign) {
      Files.writeString(dir.resolve(name), "not ours");
    }
    Files.writeString(dir.resolve("etcd-20261101T000000Z.db"), "old");
    Files.writeString(dir.resolve("etcd-20261102T000000Z.db"), "old");

    ScriptProcess.Result result =
        ScriptProcess.run(tmp, EtcdSnapshotCronJob.SCRIPT, env(dir, 2, "tls.crt", "tls.key"));

    assertThat(result.exitCode()).as(result.output()).isZero();
    JsonNode json = JSON.readTree(result.resultLine());
    Path saved = Path.of(json.get("file").asText());
    assertThat(saved.getParent()).isEqualTo(dir);
    assertThat(saved.getFileName().toString()).matches("etcd-\\d{8}T\\d{6}Z\\.db");
    // 50 keys were written; a snapshot's revision is the store's, at least that.
    assertThat(json.get("revision").asLong()).isGreaterThanOrEqualTo(50);
    assertThat(json.get("bytes").asLong()).isEqualTo(Files.size(saved)).isGreaterThan(0);
    assertThat(json.get("deleted").asInt()).isEqualTo(1);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              foreign.get(0), foreign.get(1), foreign.get(2), "etcd-20261102T000000Z.db", saved.getFileName().toString());
    }
    // The saved file is a real snapshot: the status check of the real tool reads it again.
    assertThat(status(saved)).contains(String.valueOf(json.get("revision").asLong()));
  }

  @Test
  void worksWithBusyboxShellAndToolsAsInThePod() throws Exception {
    // The etcd image has no shell: the pod runs the script with a busybox copied in.
    Path dir = Files.createDirectories(tmp.resolve("busybox"));
    Files.writeString(dir.resolve("etcd-20261101T000000Z.db"), "old");
    Files.writeString(dir.resolve("notes.txt"), "not ours");

    ScriptProcess.Result result =
        ScriptProcess.runWithBusybox(tmp, EtcdSnapshotCronJob.SCRIPT, env(dir, 1, "tls.crt", "tls.key"));

    assertThat(result.exitCode()).as(result.output()).isZero();
    JsonNode json = JSON.readTree(result.resultLine());
    assertThat(json.get("deleted").asInt()).isEqualTo(1);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("notes.txt", Path.of(json.get("file").asText()).getFileName().toString());
    }
  }

  /**
   * A board without a clock chip once wrote snapshots while its clock was years ahead: their
   * names sort after every snapshot taken since. Retention goes by modification time and never
   * deletes the snapshot it has just saved, in sh and in busybox sh alike.
   */
  @Test
  void futureDatedNamesNeverCostTheNewSnapshotAndAgeIsTheFileTime() throws Exception {
    for (boolean busybox : List.of(false, true)) {
      Path dir = Files.createDirectories(tmp.resolve("future-dated-" + busybox));
      Instant now = Instant.now();
      // Written while the clock was ahead: future name, and the file time the clock gave it then.
      touch(dir.resolve("etcd-20991231T000000Z.db"), now.plus(Duration.ofDays(365)));
      // Future name, but the file is a month old: the oldest of all by time.
      touch(dir.resolve("etcd-20991230T000000Z.db"), now.minus(Duration.ofDays(30)));
      // An ordinary snapshot from yesterday.
      touch(dir.resolve("etcd-20261101T000000Z.db"), now.minus(Duration.ofDays(1)));
      Map<String, String> env = env(dir, 2, "tls.crt", "tls.key");

      ScriptProcess.Result result =
          busybox
              ? ScriptProcess.runWithBusybox(tmp, EtcdSnapshotCronJob.SCRIPT, env)
              : ScriptProcess.run(tmp, EtcdSnapshotCronJob.SCRIPT, env);

      assertThat(result.exitCode()).as(result.output()).isZero();
      JsonNode json = JSON.readTree(result.resultLine());
      String saved = Path.of(json.get("file").asText()).getFileName().toString();
      assertThat(json.get("deleted").asInt()).isEqualTo(2);
      try (Stream<Path> files = Files.list(dir)) {
        // Keep 2: the one just saved, and of the others the newest by file time.
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("busybox: " + busybox)
            .containsExactlyInAnyOrder(saved, "etcd-20991231T000000Z.db");
      }
      assertThat(status(dir.resolve(saved))).contains(String.valueOf(json.get("revision").asLong()));

      // The next run with KEEP=1 keeps only what it saves, although every name sorts after it.
      ScriptProcess.Result again =
          ScriptProcess.run(tmp, EtcdSnapshotCronJob.SCRIPT, env(dir, 1, "tls.crt", "tls.key"));
      assertThat(again.exitCode()).as(again.output()).isZero();
      String savedAgain = Path.of(JSON.readTree(again.resultLine()).get("file").asText()).getFileName().toString();
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString())).containsExactly(savedAgain);
      }
    }
  }

  private static void touch(Path file, Instant modified) throws IOException {
    Files.writeString(file, "old");
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(modified));
  }

  @Test
  void aClientCertificateFromAnotherCaFailsTheRunAndDeletesNothing() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("stranger"));
    Files.writeString(dir.resolve("etcd-20261101T000000Z.db"), "old");

    ScriptProcess.Result result =
        ScriptProcess.run(tmp, EtcdSnapshotCronJob.SCRIPT, env(dir, 1, "stranger.crt", "stranger.key"));

    assertThat(result.exitCode()).isEqualTo(1);
    JsonNode json = JSON.readTree(result.resultLine());
    assertThat(json.get("message").asText()).contains("is not reachable");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("etcd-20261101T000000Z.db");
    }
  }

  private static String status(Path snapshot) throws Exception {
    List<String> command =
        etcdutl != null
            ? List.of(etcdutl.toString(), "snapshot", "status", snapshot.toString(), "-w", "simple")
            : List.of(etcdctl.toString(), "snapshot", "status", snapshot.toString(), "-w", "simple");
    return exec(command);
  }

  private static String etcdctl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        etcdctl.toString(),
        "--endpoints=" + endpoint,
        "--cacert=" + pki.resolve("ca.crt"),
        "--cert=" + pki.resolve("tls.crt"),
        "--key=" + pki.resolve("tls.key")));
    command.addAll(List.of(args));
    return exec(command);
  }

  private static String exec(List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("ETCDCTL_API", "3");
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new AssertionError(command + " failed: " + out);
    }
    return out;
  }

  private static Path tool(String name, String debianPackage) {
    Path sim = optionalSimTool(name);
    return sim != null ? sim : ScriptProcess.requireTool(name, debianPackage);
  }

  private static Path optionalTool(String name) {
    Path sim = optionalSimTool(name);
    if (sim != null) {
      return sim;
    }
    try {
      return ScriptProcess.requireTool(name, "");
    } catch (AssertionError missing) {
      return null; // Debian 12's etcd 3.4 has no etcdutl; the script falls back to etcdctl.
    }
  }

  private static Path optionalSimTool(String name) {
    Path candidate = Examples.repoRoot().resolve(".sim/bin/" + name);
    return Files.isExecutable(candidate) ? candidate : null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void waitForPort(int port, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!etcd.isAlive()) {
        throw new AssertionError("etcd exited: " + Files.readString(tmp.resolve("etcd.log")));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("etcd did not listen within " + timeout + ": " + Files.readString(tmp.resolve("etcd.log")));
  }
}
