package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A kubelet's serving-certificate CSR, created as the node itself (admin impersonating
 * system:node:master-1), is approved by the operator running the documented HomeCluster; one that
 * names another node's address is not.
 */
@SimulatedClusterTest
class KubeletServingCsrIT {
  private static final List<String> SERVING = List.of("digital signature", "key encipherment", "server auth");
  private OperatorHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.admin.certificates().v1().certificateSigningRequests().withName("csr-it-master-1").delete();
      harness.admin.certificates().v1().certificateSigningRequests().withName("csr-it-master-1-forged").delete();
      harness.close();
    }
  }

  @Test
  void theOperatorApprovesANodesOwnServingCertificateAndNotAnotherNodesAddress(TestCluster cluster) throws Exception {
    harness = new OperatorHarness(cluster, OperatorOptions.DEFAULT_RESYNC).start();
    harness.apply(Examples.load(Examples.HOME));

    try (KubernetesClient node = asNode(cluster, "master-1")) {
      create(node, "csr-it-master-1", KubeletServingCsrDecisionTest.csr(
          "master-1", "system:node:master-1", List.of("master-1"), List.of("192.168.1.111"), SERVING));
      create(node, "csr-it-master-1-forged", KubeletServingCsrDecisionTest.csr(
          "master-1", "system:node:master-1", List.of("master-1"), List.of("192.168.1.112"), SERVING));
    }

    CertificateSigningRequest approved = Eventually.await("master-1's serving CSR approved", OperatorHarness.TIMEOUT,
        () -> harness.admin.certificates().v1().certificateSigningRequests().withName("csr-it-master-1").get(),
        csr -> condition(csr, "Approved") != null);
    assertThat(approved.getSpec().getUsername()).isEqualTo("system:node:master-1");
    assertThat(condition(approved, "Approved").getStatus()).isEqualTo("True");
    assertThat(condition(approved, "Approved").getMessage()).contains("master-1", "192.168.1.111");

    CertificateSigningRequest forged = Eventually.await("the forged CSR decided", OperatorHarness.TIMEOUT,
        () -> harness.admin.certificates().v1().certificateSigningRequests().withName("csr-it-master-1-forged").get(),
        csr -> condition(csr, "Denied") != null || condition(csr, "Approved") != null);
    assertThat(condition(forged, "Approved")).isNull();
    assertThat(condition(forged, "Denied").getMessage()).contains("192.168.1.112");

    Eventually.await("a Normal event for the approval", OperatorHarness.TIMEOUT,
        () -> harness.admin.v1().events().inNamespace(ClusterEvents.NAMESPACE).list().getItems(),
        events -> events.stream().anyMatch(e -> KubeletServingApprover.REASON_APPROVED.equals(e.getReason())
            && "Normal".equals(e.getType()) && e.getMessage().contains("csr-it-master-1")));
  }

  private static void create(KubernetesClient node, String name, CertificateSigningRequest csr) {
    csr.getMetadata().setName(name);
    // The API server fills in who asked: the impersonated node.
    csr.getSpec().setUsername(null);
    csr.getSpec().setGroups(null);
    node.certificates().v1().certificateSigningRequests().resource(csr).create();
  }

  private static CertificateSigningRequestCondition condition(CertificateSigningRequest csr, String type) {
    if (csr == null || csr.getStatus() == null || csr.getStatus().getConditions() == null) {
      return null;
    }
    return csr.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static KubernetesClient asNode(TestCluster cluster, String node) throws Exception {
    Config config = new ConfigBuilder(Config.fromKubeconfig(Files.readString(cluster.kubeconfig())))
        .withImpersonateUsername("system:node:" + node)
        .withImpersonateGroups("system:nodes", "system:authenticated")
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
