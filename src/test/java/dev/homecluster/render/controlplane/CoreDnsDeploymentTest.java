package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoreDnsDeploymentTest {
  private final List<HasMetadata> home = Rendered.component(Examples.HOME, Names.COREDNS);

  @Test
  void corednsServiceTakesTheTenthServiceIp() {
    Service service = Rendered.find(home, Service.class, CoreDnsDeployment.SERVICE);

    assertThat(service.getSpec().getClusterIP()).isEqualTo("10.96.0.10");
    assertThat(service.getSpec().getSelector())
        .isEqualTo(Rendered.find(home, Deployment.class, Names.COREDNS).getSpec().getSelector().getMatchLabels());
    assertThat(service.getSpec().getPorts())
        .extracting(p -> p.getName() + "/" + p.getProtocol() + "/" + p.getPort())
        .containsExactly("dns/UDP/53", "dns-tcp/TCP/53", "metrics/TCP/9153");
  }

  @Test
  void theTenthAddressFollowsTheServiceNetwork() {
    var cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getNetwork().setServiceCIDR("172.20.0.0/16");

    Service service = Rendered.find(Rendered.component(cluster, Names.COREDNS), Service.class, CoreDnsDeployment.SERVICE);

    assertThat(service.getSpec().getClusterIP()).isEqualTo("172.20.0.10");
  }

  @Test
  void servesTheClusterDomainFromTheApi() {
    var cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getNetwork().setClusterDomain("home.arpa");

    ConfigMap corefile = Rendered.find(Rendered.component(cluster, Names.COREDNS), ConfigMap.class, Names.COREDNS);

    assertThat(corefile.getData().get("Corefile"))
        .contains("kubernetes home.arpa in-addr.arpa ip6.arpa {", "disable success home.arpa", "forward . /etc/resolv.conf");
  }

  @Test
  void runsTwoReplicasWithTheImageOfTheRepository() {
    Deployment coredns = Rendered.find(home, Deployment.class, Names.COREDNS);

    assertThat(coredns.getSpec().getReplicas()).isEqualTo(2);
    assertThat(coredns.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.k8s.io/coredns/coredns:v1.12.1");
    assertThat(coredns.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(Names.COREDNS);
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("coredns/home.yaml", Manifests.toYaml(home));
  }
}
