package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.testing.Examples;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The apiserver's and HAProxy's ports may not be one a master's host network already uses. */
class ReservedPortsTest {
  private final HomeCluster home = Examples.load(Examples.HOME);

  static Stream<Integer> reservedPorts() {
    return ControlPlaneRules.RESERVED_PORTS.keySet().stream().sorted();
  }

  private List<String> errors() {
    return new Validator().validate(home).errors().stream().map(Problem::toString).toList();
  }

  @ParameterizedTest
  @MethodSource("reservedPorts")
  void rejectsEveryReservedPortAsApiServerPort(int port) {
    home.getSpec().getControlPlane().setApiServerPort(port);

    assertThat(errors())
        .containsExactly(
            "spec.controlPlane.apiServerPort: port "
                + port
                + " is used by "
                + ControlPlaneRules.RESERVED_PORTS.get(port)
                + " on the masters");
  }

  @ParameterizedTest
  @MethodSource("reservedPorts")
  void rejectsEveryReservedPortAsEndpointPort(int port) {
    home.getSpec().getControlPlane().getEndpoint().setPort(port);

    assertThat(errors())
        .containsExactly(
            "spec.controlPlane.endpoint.port: port "
                + port
                + " is used by "
                + ControlPlaneRules.RESERVED_PORTS.get(port)
                + " on the masters");
  }

  @Test
  void namesWhatHoldsTheKubeletAndSshPorts() {
    assertThat(ControlPlaneRules.RESERVED_PORTS)
        .containsEntry(22, "sshd")
        .containsEntry(10250, "the kubelet")
        .containsEntry(10249, "kube-proxy metrics")
        .containsEntry(10256, "kube-proxy health")
        .containsEntry(10257, "kube-controller-manager")
        .containsEntry(10259, "kube-scheduler")
        .containsEntry(2379, "etcd clients")
        .containsEntry(2380, "etcd peers");
  }

  @Test
  void theCrdRefusesTheSamePortsOnBothFields() throws IOException {
    JsonNode crd =
        new ObjectMapper(new YAMLFactory())
            .readTree(
                Examples.repoRoot().resolve("crds/homeclusters.homecluster.dev-v1.yml").toFile());
    Pattern list = Pattern.compile("^!\\(self in \\[([0-9, ]+)\\]\\)$");
    int rules = 0;
    for (JsonNode rule : crd.findValues("rule")) {
      Matcher m = list.matcher(rule.asText());
      if (m.matches()) {
        rules++;
        assertThat(Arrays.stream(m.group(1).split(",\\s*")).map(Integer::valueOf).collect(Collectors.toSet()))
            .isEqualTo(ControlPlaneRules.RESERVED_PORTS.keySet());
      }
    }
    assertThat(rules).as("apiServerPort and endpoint.port").isEqualTo(2);
  }
}
