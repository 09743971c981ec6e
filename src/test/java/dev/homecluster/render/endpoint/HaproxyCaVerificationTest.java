package dev.homecluster.render.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented cluster's haproxy.cfg, run by the real haproxy in a private network namespace
 * whose loopback carries the three masters' addresses: openssl s_server plays each apiserver.
 * HAProxy's health checks must accept an apiserver whose certificate the cluster CA signed and
 * mark down one that answers on a master's address with any other certificate, so that such a
 * host never receives API traffic through the virtual IP.
 */
class HaproxyCaVerificationTest {
  @TempDir Path dir;

  @Test
  void checksAcceptOnlyApiserversWithACertificateOfTheClusterCa() throws IOException {
    String haproxy = RealBinaries.require("haproxy", "haproxy");
    RealBinaries.require("openssl", "openssl");
    RealBinaries.require("curl", "curl");
    RealBinaries.requireKeepalived(); // a network namespace of our own, and ip
    HomeCluster home = Examples.load(Examples.HOME);
    List<NodeSpec> masters = RenderContext.of(home).masters();
    int port = home.getSpec().getControlPlane().getApiServerPort();
    Files.writeString(dir.resolve("haproxy.cfg"), HaproxyConfig.of(RenderContext.of(home)).text());
    Path ca = RealBinaries.testCa(dir);
    RealBinaries.signedServerCertificate(dir, "signed");
    RealBinaries.Result stranger =
        RealBinaries.run(
            List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver",
                "-days", "1", "-keyout", dir.resolve("stranger.key").toString(),
                "-out", dir.resolve("stranger.crt").toString()),
            Map.of(), 60);
    assertThat(stranger.exitCode()).as(stranger.output()).isZero();
    String first = masters.get(0).getAddress() + ":" + port;
    String second = masters.get(1).getAddress() + ":" + port;
    StringBuilder addresses = new StringBuilder();
    for (NodeSpec master : masters) {
      addresses.append(" ip addr add ").append(master.getAddress()).append("/32 dev lo &&");
    }
    // master-1 serves a certificate of the cluster CA, master-2 a self-signed one with the same
    // name, master-3 nothing. Then master-1 is replaced by the stranger too.
    String healthz = "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:" + HaproxyConfig.HEALTH_PORT + HaproxyConfig.HEALTH_URI;
    // Every process started here is killed on exit, and none holds the test's output pipe.
    String lab =
        "pids=''; trap 'kill $pids 2>/dev/null' EXIT; serve() { openssl s_server -quiet -www -accept \"$1\""
            + " -cert \"$2.crt\" -key \"$2.key\" >>s_server.log 2>&1 & last=$!; pids=\"$pids $last\"; };"
            + " ip link set lo up &&" + addresses
            + " cd \"$3\" && serve " + first + " signed && one=$last && serve " + second + " stranger"
            + " && sleep 1 && { \"$0\" -db -f haproxy.cfg >haproxy.log 2>&1 & pids=\"$pids $!\"; }"
            + " && sleep 6 && echo \"result one-trusted $(" + healthz + ")\""
            + " && kill $one && sleep 1 && serve " + first + " stranger"
            + " && sleep 6 && echo \"result none-trusted $(" + healthz + ")\"";
    List<String> command =
        new ArrayList<>(List.of("unshare", "--net", "--mount", "--propagation", "private", "--", "sh", "-c",
            RealBinaries.withClusterCa(lab), haproxy, "-", ca.toString(), dir.toString()));

    RealBinaries.Result run = RealBinaries.run(command, Map.of(), 60);

    String log = Files.exists(dir.resolve("haproxy.log")) ? Files.readString(dir.resolve("haproxy.log")) : "";
    Map<String, String> results = new LinkedHashMap<>();
    run.output().lines()
        .filter(l -> l.startsWith("result "))
        .map(l -> l.substring("result ".length()).split(" ", 2))
        .forEach(kv -> results.put(kv[0], kv.length > 1 ? kv[1].strip() : ""));
    assertThat(results).as("lab output:%n%s%nhaproxy log:%n%s", run.output(), log)
        .containsEntry("one-trusted", "200")
        .containsEntry("none-trusted", "503");
    // The self-signed apiserver is down for a TLS reason, from the first checks on.
    assertThat(log.lines().filter(l -> l.contains("master-2 is DOWN")).findFirst())
        .as(log)
        .hasValueSatisfying(l -> assertThat(l).containsIgnoringCase("SSL"));
    assertThat(log).contains("master-1 is DOWN").doesNotContain("master-2 is UP");
  }
}
