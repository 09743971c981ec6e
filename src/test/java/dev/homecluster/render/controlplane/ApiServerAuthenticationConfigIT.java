package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.sim.SimBuild;
import java.io.IOException;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the real kube-apiserver binary (the simulated cluster's, v1.34) with the rendered
 * authentication configuration: it accepts the file, and, as a control, refuses it together with
 * {@code --anonymous-auth=false}, which shows the file really is read at start-up. No etcd is
 * reachable, so the apiserver never gets further than waiting for storage.
 */
class ApiServerAuthenticationConfigIT {
  private static final int SECONDS = 15;

  @TempDir Path dir;

  private Result start(List<String> extraFlags) throws Exception {
    Path config = dir.resolve(ApiServerAuthenticationConfig.FILE);
    Files.writeString(config, ApiServerAuthenticationConfig.yaml());
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair sa = generator.generateKeyPair();
    pem(dir.resolve("sa.key"), new JcaPKCS8Generator(sa.getPrivate(), null));
    pem(dir.resolve("sa.pub"), sa.getPublic());
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(SimBuild.ensureBuilt().resolve("kube-apiserver").toString());
    command.add("--authentication-config=" + config);
    command.add("--authorization-mode=Node,RBAC");
    command.add("--bind-address=127.0.0.1");
    command.add("--secure-port=" + port);
    command.add("--cert-dir=" + dir.resolve("serving"));
    command.add("--etcd-servers=http://127.0.0.1:1");
    command.add("--service-account-issuer=https://kubernetes.default.svc.cluster.local");
    command.add("--service-account-key-file=" + dir.resolve("sa.pub"));
    command.add("--service-account-signing-key-file=" + dir.resolve("sa.key"));
    command.add("--service-cluster-ip-range=10.96.0.0/12");
    command.addAll(extraFlags);
    Path log = dir.resolve("apiserver-" + extraFlags.size() + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      boolean exited = process.waitFor(SECONDS, TimeUnit.SECONDS);
      return new Result(exited, exited ? process.exitValue() : -1, Files.readString(log));
    } finally {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private record Result(boolean exited, int exitCode, String log) {}

  @Test
  void theApiServerAcceptsTheAnonymousHealthConditions() throws Exception {
    Result result = start(List.of());

    assertThat(result.exited() && result.exitCode() != 0)
        .as("kube-apiserver exited with %s:%n%s", result.exitCode(), result.log())
        .isFalse();
    assertThat(result.log()).doesNotContainIgnoringCase("authentication-config").doesNotContain("AuthenticationConfiguration");
  }

  @Test
  void theApiServerReadsTheFileAtStartUp() throws Exception {
    // Control: the file's anonymous section and the flag exclude each other.
    Result result = start(List.of("--anonymous-auth=false"));

    assertThat(result.exited()).as("kube-apiserver still running:%n%s", result.log()).isTrue();
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.log()).containsIgnoringCase("anonymous");
  }

  private static void pem(Path file, Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    Files.writeString(file, out.toString());
  }
}
