package dev.homecluster.render.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.EndpointSpec;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the rendered ConfigMap of the documented cluster for real: keepalived and HAProxy of each
 * master in its own network namespace on a bridge (the home LAN), openssl s_server as each
 * apiserver, and a client on the LAN. Breaks the master holding the virtual IP three ways and
 * measures how fast the address moves (see docs/endpoint.md for the numbers and the arithmetic).
 */
class EndpointFailoverTest {
  @TempDir Path dir;

  @Test
  void theVipMovesWithinTheVrrpTimesAndNeverFlapsBack() throws IOException {
    RealBinaries.requireKeepalived();
    RealBinaries.require("haproxy", "haproxy");
    RealBinaries.require("openssl", "openssl");
    RealBinaries.require("curl", "curl");
    RealBinaries.require("bash", "bash");
    HomeCluster home = Examples.load(Examples.HOME);
    List<HasMetadata> objects = Rendered.component(home, Names.ENDPOINT);
    ConfigMap config = Rendered.find(objects, ConfigMap.class, Names.ENDPOINT);
    // The lab runs keepalived with exactly the capabilities of the rendered container.
    String keepalivedCaps =
        Rendered.find(objects, DaemonSet.class, Names.ENDPOINT).getSpec().getTemplate().getSpec()
            .getContainers().stream()
            .filter(c -> c.getName().equals(ApiServerEndpoint.KEEPALIVED_CONTAINER))
            .findFirst().orElseThrow()
            .getSecurityContext().getCapabilities().getAdd().stream()
            .map(cap -> "+" + cap.toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(","));
    for (Map.Entry<String, String> file : config.getData().entrySet()) {
      Files.writeString(dir.resolve(file.getKey()), file.getValue());
    }
    Files.writeString(dir.resolve("auth-pass"), "Ab3dE6gH");
    // The apiservers serve a certificate of a test CA, which HAProxy's checks verify as ca.crt.
    RealBinaries.signedServerCertificate(dir, "tls");
    Files.copy(RealBinaries.testCa(dir), dir.resolve("ca.crt"));
    Path lab = dir.resolve("failover-lab.sh");
    try (InputStream in = getClass().getResourceAsStream("/dev/homecluster/endpoint/failover-lab.sh")) {
      Files.copy(in, lab);
    }
    EndpointSpec endpoint = home.getSpec().getControlPlane().getEndpoint();
    List<String> command =
        new ArrayList<>(
            List.of("unshare", "--net", "--mount", "--propagation", "private", "--", "bash", lab.toString(),
                dir.toString(), endpoint.getVip(), String.valueOf(endpoint.getPort()), endpoint.getInterfaceName(),
                "192.168.1.2/24"));
    for (NodeSpec master : RenderContext.of(home).masters()) {
      command.add(master.getName() + "=" + master.getAddress());
    }

    RealBinaries.Result run = RealBinaries.run(
            command, Map.of("KEEPALIVED_CAPS", keepalivedCaps, "HAPROXY_CA_FILE", HaproxyConfig.CA_FILE), 180);

    System.out.println(run.output());
    Map<String, String> results = new LinkedHashMap<>();
    run.output().lines()
        .filter(l -> l.startsWith("result "))
        .map(l -> l.substring("result ".length()).split(" ", 2))
        .forEach(kv -> results.put(kv[0], kv.length > 1 ? kv[1].strip() : ""));
    assertThat(run.exitCode()).as("failover lab:%n%s", run.output()).isZero();
    assertThat(results).doesNotContainValue("never");
    for (NodeSpec master : RenderContext.of(home).masters()) {
      // keepalived could run its health check: no privilege it lacked.
      assertThat(Files.readString(dir.resolve("logs/" + master.getName() + "-keepalived.log")))
          .doesNotContain("Couldn't", "Permission denied", "Operation not permitted");
    }
    // Check fails twice (about 2 s), then a priority 0 advert: under 3 s.
    assertThat(seconds(results, "haproxy-dies-vip-moved")).isLessThan(3.0);
    // A stopping keepalived hands over at once with a priority 0 advert.
    assertThat(seconds(results, "keepalived-stops-vip-moved")).isLessThan(1.0);
    // Silence: 3 adverts plus a skew of (256 - 253) / 256 s, counted from the last advert.
    assertThat(seconds(results, "master-dies-vip-moved")).isLessThan(3.5);
    // nopreempt: a recovered master leaves the address where it is.
    assertThat(results.get("haproxy-dies-stays-after-recovery")).isEqualTo(results.get("haproxy-dies-new-holder"));
    assertThat(results.get("keepalived-stops-stays-after-recovery"))
        .isEqualTo(results.get("keepalived-stops-new-holder"));
    assertThat(results.get("master-dies-holders-after-rejoin")).isEqualTo(results.get("master-dies-new-holder"));
  }

  private static double seconds(Map<String, String> results, String key) {
    assertThat(results).containsKey(key);
    return Double.parseDouble(results.get(key));
  }
}
