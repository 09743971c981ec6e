package dev.homecluster.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import dev.homecluster.secrets.SecretGenerators;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated PKI checked by the tools that will consume it: openssl's verifier with TLS
 * purposes, and a real etcd that requires client certificates from the etcd CA.
 */
class PkiRealToolsTest {
  private static Map<String, Secret> secrets;

  @TempDir Path tmp;

  @BeforeAll
  static void generate() {
    HomeCluster home = Examples.load(Examples.HOME);
    secrets = SecretGenerators.generateAll(home, Map.of(), Instant.now(), new SecureRandom());
  }

  private Path write(String secret, String key) throws IOException {
    Path file = tmp.resolve(secret + "-" + key);
    if (!Files.exists(file)) {
      Files.writeString(file, SecretFiles.read(secrets.get(secret), key).orElseThrow());
    }
    return file;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private record Result(int exit, String output) {}

  private static Result exec(List<String> command, long seconds) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, "timed out: " + command);
    }
    return new Result(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private Result verify(String caSecret, String leafSecret, String leafKey, String purpose)
      throws Exception {
    return exec(
        List.of(
            "openssl",
            "verify",
            "-CAfile",
            write(caSecret, Names.CA_CERT_KEY).toString(),
            "-purpose",
            purpose,
            write(leafSecret, leafKey).toString()),
        30);
  }

  @Test
  void opensslAcceptsEachLeafForItsPurposeOnlyAndEachKeyMatchesItsCertificate() throws Exception {
    assumeTrue(onPath("openssl"), "openssl is not installed; skipping the openssl checks");

    assertThat(
            verify(Names.CLUSTER_CA_SECRET, Names.APISERVER_SERVING_SECRET, "tls.crt", "sslserver")
                .output())
        .contains(": OK");
    assertThat(
            verify(Names.CLUSTER_CA_SECRET, Names.APISERVER_SERVING_SECRET, "tls.crt", "sslclient")
                .exit())
        .isNotZero();
    assertThat(
            verify(
                    Names.CLUSTER_CA_SECRET,
                    Names.APISERVER_KUBELET_CLIENT_SECRET,
                    "tls.crt",
                    "sslclient")
                .output())
        .contains(": OK");
    for (String client : List.of(Names.CONTROLLER_MANAGER_CLIENT_SECRET, Names.SCHEDULER_CLIENT_SECRET)) {
      assertThat(verify(Names.CLUSTER_CA_SECRET, client, "tls.crt", "sslclient").output())
          .as(client)
          .contains(": OK");
    }
    assertThat(
            verify(Names.ETCD_CA_SECRET, Names.APISERVER_ETCD_CLIENT_SECRET, "tls.crt", "sslclient")
                .output())
        .contains(": OK");
    assertThat(
            verify(Names.ETCD_CA_SECRET, Names.ETCD_CLIENT_SECRET, "tls.crt", "sslclient").output())
        .contains(": OK");
    assertThat(
            verify(
                    Names.FRONT_PROXY_CA_SECRET,
                    Names.FRONT_PROXY_CLIENT_SECRET,
                    "tls.crt",
                    "sslclient")
                .output())
        .contains(": OK");
    assertThat(
            verify(
                    Names.CLUSTER_CA_SECRET,
                    Names.APISERVER_ETCD_CLIENT_SECRET,
                    "tls.crt",
                    "sslclient")
                .exit())
        .as("the etcd client certificate must not chain to the cluster CA")
        .isNotZero();
    for (String kind : List.of("server", "peer")) {
      assertThat(
              verify(
                      Names.ETCD_CA_SECRET,
                      Names.ETCD_MEMBERS_SECRET,
                      "master-2." + kind + ".crt",
                      "sslserver")
                  .output())
          .contains(": OK");
      assertThat(
              verify(
                      Names.ETCD_CA_SECRET,
                      Names.ETCD_MEMBERS_SECRET,
                      "master-2." + kind + ".crt",
                      "sslclient")
                  .output())
          .contains(": OK");
    }

    List<String[]> pairs = new ArrayList<>();
    pairs.add(new String[] {Names.CLUSTER_CA_SECRET, "ca.crt", "ca.key"});
    pairs.add(new String[] {Names.APISERVER_SERVING_SECRET, "tls.crt", "tls.key"});
    pairs.add(new String[] {Names.ETCD_MEMBERS_SECRET, "master-1.peer.crt", "master-1.peer.key"});
    for (String[] pair : pairs) {
      Result fromCert =
          exec(
              List.of(
                  "openssl",
                  "x509",
                  "-in",
                  write(pair[0], pair[1]).toString(),
                  "-noout",
                  "-pubkey"),
              30);
      Result fromKey =
          exec(
              List.of("openssl", "pkey", "-in", write(pair[0], pair[2]).toString(), "-pubout"), 30);
      assertThat(fromKey.exit()).as(fromKey.output()).isZero();
      assertThat(fromKey.output()).as(pair[0]).isEqualTo(fromCert.output());
    }
    Result saPub =
        exec(
            List.of(
                "openssl",
                "pkey",
                "-in",
                write(Names.SERVICE_ACCOUNT_KEY_SECRET, "sa.key").toString(),
                "-pubout"),
            30);
    assertThat(saPub.output())
        .isEqualTo(Files.readString(write(Names.SERVICE_ACCOUNT_KEY_SECRET, "sa.pub")));
  }

  @Test
  void etcdServesWithTheMemberCertificateAndAdmitsOnlyClientsOfTheEtcdCa() throws Exception {
    assumeTrue(
        onPath("etcd") && onPath("etcdctl"),
        "etcd/etcdctl are not installed; skipping the etcd TLS check");
    int clientPort = freePort();
    int peerPort = freePort();
    String client = "https://127.0.0.1:" + clientPort;
    String peer = "https://127.0.0.1:" + peerPort;
    String ca = write(Names.ETCD_CA_SECRET, "ca.crt").toString();
    List<String> etcd =
        List.of(
            "etcd",
            "--name=master-1",
            "--data-dir=" + tmp.resolve("data"),
            "--listen-client-urls=" + client,
            "--advertise-client-urls=" + client,
            "--listen-peer-urls=" + peer,
            "--initial-advertise-peer-urls=" + peer,
            "--initial-cluster=master-1=" + peer,
            "--initial-cluster-state=new",
            "--cert-file=" + write(Names.ETCD_MEMBERS_SECRET, "master-1.server.crt"),
            "--key-file=" + write(Names.ETCD_MEMBERS_SECRET, "master-1.server.key"),
            "--trusted-ca-file=" + ca,
            "--client-cert-auth=true",
            "--peer-cert-file=" + write(Names.ETCD_MEMBERS_SECRET, "master-1.peer.crt"),
            "--peer-key-file=" + write(Names.ETCD_MEMBERS_SECRET, "master-1.peer.key"),
            "--peer-trusted-ca-file=" + ca,
            "--peer-client-cert-auth=true");
    Process server =
        new ProcessBuilder(etcd)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("etcd.log").toFile())
            .start();
    try {
      List<String> asApiServer = etcdctl(client, ca, Names.APISERVER_ETCD_CLIENT_SECRET);
      Result health = null;
      for (int i = 0; i < 60; i++) {
        health = exec(concat(asApiServer, "endpoint", "health"), 20);
        if (health.exit() == 0) {
          break;
        }
        Thread.sleep(500);
      }
      assertThat(health.exit())
          .as(health.output() + Files.readString(tmp.resolve("etcd.log")))
          .isZero();
      assertThat(exec(concat(asApiServer, "put", "/registry/probe", "ok"), 20).output())
          .contains("OK");
      assertThat(
              exec(
                      concat(
                          etcdctl(client, ca, Names.ETCD_CLIENT_SECRET),
                          "get",
                          "/registry/probe",
                          "--print-value-only"),
                      20)
                  .output()
                  .strip())
          .isEqualTo("ok");

      Result stranger =
          exec(
              concat(
                  etcdctl(client, ca, Names.APISERVER_KUBELET_CLIENT_SECRET),
                  "get",
                  "/registry/probe"),
              20);
      assertThat(stranger.exit())
          .as("a client certificate of the cluster CA must be refused")
          .isNotZero();
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private List<String> etcdctl(String endpoint, String ca, String clientSecret) throws IOException {
    return List.of(
        "etcdctl",
        "--endpoints=" + endpoint,
        "--cacert=" + ca,
        "--cert=" + write(clientSecret, "tls.crt"),
        "--key=" + write(clientSecret, "tls.key"),
        "--dial-timeout=3s",
        "--command-timeout=5s");
  }

  private static List<String> concat(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
