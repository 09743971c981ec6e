package dev.homecluster.render.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HaproxyConfigTest {
  @TempDir Path dir;

  private static String text(HomeCluster cluster) {
    return HaproxyConfig.of(RenderContext.of(cluster)).text();
  }

  private static List<String> lines(String text) {
    return Arrays.stream(text.split("\n")).map(String::strip).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.homecluster.testing.Examples#all")
  void realHaproxyAcceptsTheConfig(String example) {
    RealBinaries.Result result = RealBinaries.haproxyCheck(dir, text(Examples.load(example)));

    assertThat(result.exitCode()).as("haproxy -c:%n%s", result.output()).isZero();
    assertThat(result.output()).doesNotContain("[WARNING]", "[ALERT]").contains("Configuration file is valid");
  }

  @Test
  void realHaproxyRejectsABrokenConfig() {
    String broken = text(Examples.load(Examples.HOME)).replace("balance leastconn", "balance fastest");

    RealBinaries.Result result = RealBinaries.haproxyCheck(dir, broken);

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("[ALERT]").contains("balance only supports");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.homecluster.testing.Examples#all")
  void balancesOverEveryMastersApiserverCheckedOnReadyzOverTls(String example) {
    HomeCluster cluster = Examples.load(example);
    int apiServerPort = cluster.getSpec().getControlPlane().getApiServerPort();
    List<String> lines = lines(text(cluster));

    List<String> servers = lines.stream().filter(l -> l.startsWith("server ")).toList();
    assertThat(servers)
        .containsExactlyElementsOf(
            RenderContext.of(cluster).masters().stream()
                .map(m -> "server " + m.getName() + " " + m.getAddress() + ":" + apiServerPort
                    + " check check-ssl verify required ca-file /usr/local/etc/haproxy-ca/ca.crt")
                .toList());
    assertThat(lines).contains("option httpchk GET /readyz", "http-check expect status 200");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.homecluster.testing.Examples#all")
  void listensOnTheEndpointPortOnEveryAddressAndHealthOnLoopback(String example) {
    HomeCluster cluster = Examples.load(example);
    List<String> lines = lines(text(cluster));

    assertThat(lines)
        .contains(
            "bind *:" + cluster.getSpec().getControlPlane().getEndpoint().getPort(),
            "mode tcp",
            "bind 127.0.0.1:8404",
            "monitor-uri /healthz",
            "monitor fail if { nbsrv(kube-apiservers) lt 1 }");
  }

  @Test
  void keepsQuietWatchesOpenForAnHour() {
    List<String> lines = lines(text(Examples.load(Examples.HOME)));

    assertThat(lines).contains("timeout client 1h", "timeout server 1h", "timeout connect 2s", "option redispatch 1");
  }

  @Test
  void bracketsIpv6ServersAndListensOnBothFamilies() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    List<NodeSpec> nodes = cluster.getSpec().getNodes();
    for (int i = 0; i < nodes.size(); i++) {
      nodes.get(i).setAddress("fd00:1::" + (i + 11));
    }
    cluster.getSpec().getControlPlane().getEndpoint().setVip("fd00:1::10");
    String text = text(cluster);

    assertThat(lines(text))
        .contains("bind :::8443 v4v6", "server master-1 [fd00:1::11]:6443 check check-ssl verify required ca-file /usr/local/etc/haproxy-ca/ca.crt");
    RealBinaries.Result result = RealBinaries.haproxyCheck(dir, text);
    assertThat(result.exitCode()).as("haproxy -c:%n%s", result.output()).isZero();
    assertThat(result.output()).doesNotContain("[WARNING]", "[ALERT]");
  }
}
