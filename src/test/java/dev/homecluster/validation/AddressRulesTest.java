package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.testing.Examples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Addresses that parse but that no machine can hold, and pod ranges the controller-manager refuses. */
class AddressRulesTest {
  private final HomeCluster home = Examples.load(Examples.HOME);

  private List<String> errors() {
    return new Validator().validate(home).errors().stream().map(Problem::toString).toList();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0.0.0.0       | the unspecified address, which means every address of a machine",
        "127.0.0.1     | a loopback address, which every machine has for itself",
        "127.1.2.3     | a loopback address, which every machine has for itself",
        "224.0.0.18    | a multicast address",
        "169.254.1.12  | a link-local address, which changes with the link and is not routed",
        "192.168.1.0   | the network address of spec.network.nodeCIDR 192.168.1.0/24",
        "192.168.1.255 | the broadcast address of spec.network.nodeCIDR 192.168.1.0/24"
      })
  void rejectsANodeAddressNoMachineCanHold(String address, String kind) {
    home.getSpec().getNodes().get(1).setAddress(address);

    assertThat(errors())
        .containsExactly(
            "spec.nodes[1].address: "
                + address
                + " is "
                + kind
                + "; use the machine's own unicast address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"::", "::1", "ff02::12", "fe80::1"})
  void rejectsIpv6AddressesNoMachineCanHold(String address) {
    HomeCluster lab = Examples.load(Examples.ONE_BOX_LAB);
    lab.getSpec().getNodes().get(0).setAddress(address);
    lab.getSpec().getControlPlane().getEndpoint().setVip("fd00::1");

    assertThat(new Validator().validate(lab).errors())
        .extracting(Problem::path)
        .containsExactly("spec.nodes[0].address");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "192.168.1.0   | the network address of spec.network.nodeCIDR 192.168.1.0/24",
        "192.168.1.255 | the broadcast address of spec.network.nodeCIDR 192.168.1.0/24",
        "127.0.0.1     | a loopback address, which every machine has for itself",
        "255.255.255.255 | the broadcast address"
      })
  void rejectsAVipNoMachineCanHoldWithOneError(String vip, String kind) {
    home.getSpec().getControlPlane().getEndpoint().setVip(vip);

    assertThat(errors())
        .containsExactly(
            "spec.controlPlane.endpoint.vip: "
                + vip
                + " is "
                + kind
                + "; use a free unicast address on the home network");
  }

  @Test
  void rejectsTheApiserversServiceIpAsVip() {
    home.getSpec().getNetwork().setNodeCIDR(null);
    home.getSpec().getControlPlane().getEndpoint().setVip("10.96.0.1");

    assertThat(errors())
        .containsExactly(
            "spec.controlPlane.endpoint.vip: 10.96.0.1 is the apiserver's Service IP (the first"
                + " address of spec.network.serviceCIDR 10.96.0.0/12); the VIP must be a free"
                + " address on the home network");
  }

  @Test
  void rejectsAVipInsideThePodRange() {
    home.getSpec().getNetwork().setNodeCIDR(null);
    home.getSpec().getControlPlane().getEndpoint().setVip("10.244.3.7");

    assertThat(errors())
        .containsExactly(
            "spec.controlPlane.endpoint.vip: 10.244.3.7 lies inside spec.network.podCIDR"
                + " (10.244.0.0/16); the VIP must be a free address on the home network");
  }

  @Test
  void rejectsAPodRangeSmallerThanOneNodesRange() {
    home.getSpec().getNetwork().setPodCIDR("10.244.0.0/26");

    assertThat(errors())
        .containsExactly(
            "spec.network.podCIDR: 10.244.0.0/26 is smaller than the /24 the controller-manager"
                + " gives each node; use a /21 or wider");
  }

  @Test
  void rejectsAPodRangeWithFewerNodeRangesThanNodes() {
    home.getSpec().getNetwork().setPodCIDR("10.244.0.0/22");

    assertThat(errors())
        .containsExactly(
            "spec.network.podCIDR: 10.244.0.0/22 holds 4 node ranges of /24 but there are 7"
                + " nodes; use a /21 or wider");
  }

  @Test
  void acceptsAPodRangeWithExactlyOneRangePerNode() {
    home.getSpec().getNodes().subList(4, 7).clear();
    home.getSpec().setBackup(null);
    home.getSpec().getNetwork().setPodCIDR("10.244.0.0/22");

    assertThat(errors()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "fd00::/32 | is too wide for the controller-manager, which splits it into /64 per node and"
            + " allows at most 16 bits between the two; use a /48 or narrower",
        "fd00:10:244::/96 | is smaller than the /64 the controller-manager gives each node; use a"
            + " /61 or wider",
        "10.0.0.0/7 | is too wide for the controller-manager, which splits it into /24 per node"
            + " and allows at most 16 bits between the two; use a /8 or narrower"
      })
  void rejectsPodRangesTheControllerManagerCannotSplit(String cidr, String message) {
    home.getSpec().getNetwork().setPodCIDR(cidr);
    home.getSpec().getNetwork().setServiceCIDR("172.20.0.0/16");

    assertThat(errors()).containsExactly("spec.network.podCIDR: " + cidr + " " + message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fd00:10:244::/48", "fd00:10:244::/56", "10.0.0.0/8", "10.244.0.0/21"})
  void acceptsPodRangesTheControllerManagerCanSplit(String cidr) {
    home.getSpec().getNetwork().setPodCIDR(cidr);
    home.getSpec().getNetwork().setServiceCIDR("172.20.0.0/16");

    assertThat(errors()).isEmpty();
  }

  @Test
  void countsEveryNodeAgainstThePodRange() {
    List<NodeSpec> nodes = new ArrayList<>(home.getSpec().getNodes());
    for (int i = 0; i < 2; i++) {
      NodeSpec extra = new NodeSpec();
      extra.setName("extra-" + i);
      extra.setAddress("192.168.1.15" + i);
      extra.setRoles(new ArrayList<>(List.of(Role.WORKER)));
      nodes.add(extra);
    }
    home.getSpec().setNodes(nodes);
    home.getSpec().getNetwork().setPodCIDR("10.244.0.0/21");

    assertThat(errors())
        .containsExactly(
            "spec.network.podCIDR: 10.244.0.0/21 holds 8 node ranges of /24 but there are 9"
                + " nodes; use a /20 or wider");
  }
}
