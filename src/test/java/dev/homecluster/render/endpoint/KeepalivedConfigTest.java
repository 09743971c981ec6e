package dev.homecluster.render.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KeepalivedConfigTest {
  private static final String PASSWORD = "Ab3dE6gH";

  @TempDir Path dir;

  private static KeepalivedConfig config(HomeCluster cluster) {
    return KeepalivedConfig.of(RenderContext.of(cluster));
  }

  /** The lines keepalived keeps for a config id, as its parser does with @ and @^ lines. */
  static List<String> linesFor(String text, String configId) {
    List<String> kept = new ArrayList<>();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("@^")) {
        String id = trimmed.substring(2).split("\\s+", 2)[0];
        if (!id.equals(configId)) {
          kept.add(trimmed.substring(2 + id.length()).strip());
        }
      } else if (trimmed.startsWith("@")) {
        String id = trimmed.substring(1).split("\\s+", 2)[0];
        if (id.equals(configId)) {
          kept.add(trimmed.substring(1 + id.length()).strip());
        }
      } else {
        kept.add(trimmed);
      }
    }
    return kept;
  }

  /** The addresses inside the unicast_peer block, as one node sees them. */
  static List<String> unicastPeers(List<String> lines) {
    int start = lines.indexOf("unicast_peer {");
    if (start < 0) {
      return List.of();
    }
    List<String> rest = lines.subList(start + 1, lines.size());
    return List.copyOf(rest.subList(0, rest.indexOf("}")));
  }

  static Stream<Arguments> everyMasterOfEveryExample() {
    return Examples.all().stream()
        .flatMap(
            example ->
                RenderContext.of(Examples.load(example)).masters().stream()
                    .map(m -> Arguments.of(example, m.getName(), m.getAddress())));
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("everyMasterOfEveryExample")
  void realKeepalivedAcceptsTheConfigOnEveryMaster(String example, String master, String address) {
    HomeCluster cluster = Examples.load(example);
    String text = config(cluster).text();
    String iface = cluster.getSpec().getControlPlane().getEndpoint().getInterfaceName();

    RealBinaries.Result result =
        RealBinaries.keepalivedConfigTest(dir, text, PASSWORD, master, address, iface);

    RealBinaries.assertKeepalivedAccepted(result, master);
  }

  @Test
  void realKeepalivedRejectsTheConfigWhenTheInterfaceIsMissing() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    String text = config(cluster).text();

    RealBinaries.Result result =
        RealBinaries.keepalivedConfigTest(dir, text, PASSWORD, "master-1", "192.168.1.111", "wlan9");

    assertThat(result.output()).contains("interface eth0").contains("doesn't exist");
  }

  @Test
  void realKeepalivedRejectsAConfigWithAnInvalidRouterId() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getControlPlane().getEndpoint().setVirtualRouterId(300);
    String text = config(cluster).text();

    RealBinaries.Result result =
        RealBinaries.keepalivedConfigTest(dir, text, PASSWORD, "master-1", "192.168.1.111", "eth0");

    assertThat(result.output()).contains("300");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.homecluster.testing.Examples#all")
  void holdsTheVipOnTheSpecInterfaceWithTheSpecRouterId(String example) {
    HomeCluster cluster = Examples.load(example);
    var endpoint = cluster.getSpec().getControlPlane().getEndpoint();
    List<String> lines = linesFor(config(cluster).text(), "nobody");

    assertThat(lines)
        .contains(
            "virtual_router_id " + endpoint.getVirtualRouterId(),
            "interface " + endpoint.getInterfaceName(),
            endpoint.getVip() + "/32 dev " + endpoint.getInterfaceName(),
            "state BACKUP",
            "nopreempt",
            "advert_int 1");
    assertThat(lines.stream().filter(l -> l.startsWith("vrrp_instance "))).hasSize(1);
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("everyMasterOfEveryExample")
  void everyMasterSendsFromItsAddressToEveryOtherMaster(String example, String master, String address) {
    HomeCluster cluster = Examples.load(example);
    List<NodeSpec> masters = RenderContext.of(cluster).masters();
    List<String> lines = linesFor(config(cluster).text(), master);

    List<String> others =
        masters.stream().filter(m -> !m.getName().equals(master)).map(NodeSpec::getAddress).toList();
    assertThat(unicastPeers(lines)).containsExactlyElementsOf(others).doesNotContain(address);
    if (masters.size() > 1) {
      assertThat(lines).contains("unicast_src_ip " + address);
    } else {
      assertThat(lines).noneMatch(l -> l.startsWith("unicast_"));
    }
    assertThat(lines.stream().filter(l -> l.startsWith("priority "))).hasSize(1);
  }

  @Test
  void mastersHaveDistinctHighPrioritiesInSpecOrder() {
    KeepalivedConfig config = config(Examples.load(Examples.BIG));

    assertThat(List.of("master-1", "master-2", "master-3", "master-4", "master-5"))
        .extracting(config::priorityOf)
        .containsExactly(254, 253, 252, 251, 250);
    assertThat(linesFor(config.text(), "master-3")).contains("priority 252");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.homecluster.testing.Examples#all")
  void takesThePasswordFromTheIncludedFileNeverFromTheText(String example) {
    String text = config(Examples.load(example)).text();

    assertThat(text)
        .contains("includer " + KeepalivedConfig.AUTH_INCLUDE)
        .contains("auth_type PASS")
        .contains("auth_pass ${VRRP_AUTH_PASS}");
    Matcher authPass = Pattern.compile("auth_pass (\\S+)").matcher(text);
    while (authPass.find()) {
      assertThat(authPass.group(1)).isEqualTo("${VRRP_AUTH_PASS}");
    }
  }

  @Test
  void tracksTheLocalHaproxyHealthWithFailoverUnderThreeSeconds() {
    KeepalivedConfig config = config(Examples.load(Examples.HOME));
    List<String> lines = linesFor(config.text(), "master-1");

    assertThat(lines)
        .contains(
            "script \"/usr/bin/curl --fail --silent --max-time 0.5 --output /dev/null"
                + " http://127.0.0.1:8404/healthz\"",
            "interval 1",
            "fall 2",
            "rise 2",
            "track_script {",
            KeepalivedConfig.HEALTH_CHECK);
    // Worst case from the check failing to a backup holding the address: the first failed run
    // starts within one interval, the second one interval later and may take the curl timeout;
    // then the master leaves with a priority 0 advert and the backup waits only its skew time.
    double detection =
        KeepalivedConfig.CHECK_INTERVAL_SECONDS * KeepalivedConfig.CHECK_FALL
            + Double.parseDouble(KeepalivedConfig.CHECK_MAX_TIME_SECONDS);
    double skew = (256 - config.priorityOf("master-2")) / 256.0 * KeepalivedConfig.ADVERT_INT_SECONDS;
    assertThat(detection + skew).isLessThan(3.0);
  }

  @Test
  void anIpv6VipUsesAHostRouteAndNoAuthentication() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    List<NodeSpec> nodes = cluster.getSpec().getNodes();
    for (int i = 0; i < nodes.size(); i++) {
      nodes.get(i).setAddress("fd00:1::" + (i + 11));
    }
    cluster.getSpec().getControlPlane().getEndpoint().setVip("fd00:1::10");
    String text = config(cluster).text();

    assertThat(linesFor(text, "master-2"))
        .contains("fd00:1::10/128 dev eth0", "unicast_src_ip fd00:1::12")
        .doesNotContain("auth_type PASS");
    RealBinaries.Result result =
        RealBinaries.keepalivedConfigTest(dir, text, PASSWORD, "master-2", "fd00:1::12", "eth0");
    RealBinaries.assertKeepalivedAccepted(result, "master-2");
  }

  @Test
  void theStartScriptRefusesAPasswordKeepalivedWouldMisread() throws Exception {
    String text = config(Examples.load(Examples.HOME)).text();

    RealBinaries.Result tooLong =
        RealBinaries.keepalivedConfigTest(dir, text, "Ab3dE6gH9", "master-1", "192.168.1.111", "eth0");
    RealBinaries.Result comment =
        RealBinaries.keepalivedConfigTest(dir, text, "ab#cd", "master-1", "192.168.1.111", "eth0");

    assertThat(tooLong.output()).contains("longer than 8 characters");
    assertThat(comment.output()).contains("must be 1 to 8 letters or digits");
    assertThat(Files.readString(dir.resolve("keepalived.conf"))).isEqualTo(text);
  }
}
