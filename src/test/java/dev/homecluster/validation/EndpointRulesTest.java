package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.testing.Examples;
import org.junit.jupiter.api.Test;

class EndpointRulesTest {
  @Test
  void rejectsAnIpv6VipForIpv4Masters() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().getNetwork().setNodeCIDR(null);
    home.getSpec().getControlPlane().getEndpoint().setVip("fd00:1::10");

    ValidationResult result = new Validator().validate(home);

    assertThat(result.errors())
        .anySatisfy(p -> {
          assertThat(p.path()).isEqualTo("spec.controlPlane.endpoint.vip");
          assertThat(p.message()).contains("IPv6", "master-1", "spec.nodes[0].address", "IPv4");
        });
  }

  @Test
  void acceptsTheExamples() {
    for (String example : Examples.all()) {
      assertThat(new Validator().validate(Examples.load(example)).errors()).as(example).isEmpty();
    }
  }
}
