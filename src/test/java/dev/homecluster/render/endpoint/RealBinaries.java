package dev.homecluster.render.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real keepalived, haproxy and the start script on rendered files. Outside CI the tests
 * skip, with the reason, when a binary is missing; with the environment variable CI set they fail
 * instead, because CI must install them (Debian packages keepalived, haproxy, iproute2).
 */
final class RealBinaries {
  private static final List<String> SEARCH_PATH =
      List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin");

  /** Name of the other end of the veth pair made for the interface keepalived needs. */
  static final String PEER_INTERFACE = "hcpeer0";

  private RealBinaries() {}

  /** The absolute path of a binary, or the test is skipped (failed in CI) without it. */
  static String require(String binary, String debianPackage) {
    for (String dir : SEARCH_PATH) {
      Path candidate = Path.of(dir, binary);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    String message =
        binary + " is not installed (Debian package " + debianPackage + "); cannot run the real check";
    if (System.getenv("CI") != null) {
      throw new AssertionError(message + ", and CI is set: CI must install it");
    }
    Assumptions.abort(message);
    return null;
  }

  /** Everything keepalived's config test needs, including a network namespace of our own. */
  static void requireKeepalived() {
    require("keepalived", "keepalived");
    require("ip", "iproute2");
    require("unshare", "util-linux");
    Result probe = run(List.of("unshare", "--net", "--mount", "--", "true"), Map.of(), 10);
    if (probe.exitCode() != 0) {
      String message = "cannot create network namespaces here (unshare --net needs root): " + probe.output();
      if (System.getenv("CI") != null) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
  }

  record Result(int exitCode, String output) {}

  /** Runs a command, stdout and stderr merged, and waits at most {@code timeoutSeconds}. */
  static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s");
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Runs keepalived-start.sh with {@code --config-test} as the given node, in a network namespace
   * that has the interface (a veth end carrying the node's address) and a private /run, so the
   * start script writes the password file where keepalived.conf includes it.
   *
   * @return the exit code and keepalived's findings; see {@link #assertKeepalivedAccepted}
   */
  static Result keepalivedConfigTest(
      Path dir, String config, String password, String nodeName, String nodeAddress, String iface) {
    requireKeepalived();
    try {
      Path conf = Files.writeString(dir.resolve("keepalived.conf"), config);
      Path script = Files.writeString(dir.resolve("keepalived-start.sh"), ApiServerEndpoint.startScript());
      Path pass = Files.writeString(dir.resolve("auth-pass"), password);
      String prefix = nodeAddress.contains(":") ? "/64" : "/24";
      String setup =
          String.join(
              "\n",
              "set -e",
              "mount -t tmpfs tmpfs /run",
              "ip link add " + iface + " type veth peer name " + PEER_INTERFACE,
              "ip addr add " + nodeAddress + prefix + " dev " + iface,
              "ip link set " + iface + " up",
              "exec sh " + script + " --config-test");
      List<String> command = new ArrayList<>(List.of("unshare", "--net", "--mount", "--propagation", "private", "--", "sh", "-c", setup));
      return run(
              command,
              Map.of(
                  "NODE_NAME", nodeName,
                  "CONFIG", conf.toString(),
                  "AUTH_PASS_FILE", pass.toString()),
              30);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * keepalived accepted the configuration. keepalived 2.2.7 ends its config test by sending itself
   * SIGTERM (exit code 143) whatever it found, so the findings it prints are the verdict: none.
   */
  static void assertKeepalivedAccepted(Result result, String nodeName) {
    assertThat(result.exitCode())
        .as("keepalived --config-test --config-id %s exit code; output:%n%s", nodeName, result.output())
        .isIn(0, 143);
    assertThat(result.output())
        .as("keepalived --config-test --config-id %s findings", nodeName)
        .isEmpty();
  }

  /**
   * {@code haproxy -c -f FILE} with a test CA certificate at {@link HaproxyConfig#CA_FILE}, where
   * the pod has the cluster CA: haproxy loads the ca-file while checking, so the file must exist.
   * It runs in a private mount namespace with a tmpfs over the CA's parent directory, so nothing
   * is written outside the test's directory.
   */
  static Result haproxyCheck(Path dir, String config) {
    String haproxy = require("haproxy", "haproxy");
    requireMountNamespace();
    try {
      Path file = Files.writeString(dir.resolve("haproxy.cfg"), config);
      Path ca = testCa(dir);
      return run(
          List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
              withClusterCa("exec \"$0\" -c -f \"$1\""), haproxy, file.toString(), ca.toString()),
          Map.of(), 30);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A shell command prefixed with what puts the file named by its third argument ({@code $2}) at
   * {@link HaproxyConfig#CA_FILE}, readable by everyone, inside a private mount namespace.
   */
  static String withClusterCa(String command) {
    String parent = Path.of(HaproxyConfig.CA_DIR).getParent().toString();
    return "mkdir -p " + parent + " && mount -t tmpfs -o mode=755 tmpfs " + parent
        + " && mkdir -p " + HaproxyConfig.CA_DIR + " && cp \"$2\" " + HaproxyConfig.CA_FILE
        + " && chmod 755 " + HaproxyConfig.CA_DIR + " && chmod 644 " + HaproxyConfig.CA_FILE + " && " + command;
  }

  /** A self-signed CA certificate (and key) in DIR, made once per directory with openssl. */
  static Path testCa(Path dir) {
    Path ca = dir.resolve("test-ca.crt");
    if (Files.exists(ca)) {
      return ca;
    }
    require("openssl", "openssl");
    Result made =
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=test-cluster-ca",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-days", "1", "-keyout", dir.resolve("test-ca.key").toString(), "-out", ca.toString()),
            Map.of(), 60);
    assertThat(made.exitCode()).as(made.output()).isZero();
    return ca;
  }

  /** A serving certificate and key signed by {@link #testCa}, as FILE-PREFIX.crt and .key. */
  static void signedServerCertificate(Path dir, String prefix) {
    Path ca = testCa(dir);
    Result made =
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver",
                "-CA", ca.toString(), "-CAkey", dir.resolve("test-ca.key").toString(),
                "-addext", "extendedKeyUsage=serverAuth", "-days", "1",
                "-keyout", dir.resolve(prefix + ".key").toString(), "-out", dir.resolve(prefix + ".crt").toString()),
            Map.of(), 60);
    assertThat(made.exitCode()).as(made.output()).isZero();
  }

  /** A private mount namespace can be made here (root), or the test is skipped (failed in CI). */
  static void requireMountNamespace() {
    require("unshare", "util-linux");
    Result probe = run(List.of("unshare", "--mount", "--", "true"), Map.of(), 10);
    if (probe.exitCode() != 0) {
      String message = "cannot create mount namespaces here (unshare --mount needs root): " + probe.output();
      if (System.getenv("CI") != null) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
  }
}
