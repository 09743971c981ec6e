package dev.homecluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real Rook CRDs install into the test cluster and validate CephClusters like Rook's own. */
@SimulatedClusterTest(rookCrds = true)
class RookCrdsIT {
  private static GenericKubernetesResource referenceCephCluster(KubernetesClient client)
      throws IOException {
    Path file =
        CrdInstaller.rookCrdsFile(SimBuild.repoRoot()).resolveSibling("cluster-example.yaml");
    try (InputStream in = Files.newInputStream(file)) {
      HasMetadata item =
          client.load(in).items().stream()
              .filter(o -> "CephCluster".equals(o.getKind()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no CephCluster in " + file));
      GenericKubernetesResource cluster = (GenericKubernetesResource) item;
      cluster.getMetadata().setNamespace(client.getNamespace());
      return cluster;
    }
  }

  @Test
  void theCephClusterCrdIsServed(TestCluster cluster) {
    assertThat(
            cluster
                .client()
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("cephclusters.ceph.rook.io")
                .get())
        .isNotNull();
  }

  @Test
  void rooksReferenceCephClusterIsAccepted(KubernetesClient client) throws IOException {
    GenericKubernetesResource created = client.resource(referenceCephCluster(client)).create();

    assertThat(created.getMetadata().getUid()).isNotBlank();
    assertThat(created.getApiVersion()).isEqualTo("ceph.rook.io/v1");
  }

  @Test
  void aCephClusterWithTooManyMonsIsRejectedByTheSchema(KubernetesClient client)
      throws IOException {
    GenericKubernetesResource cephCluster = referenceCephCluster(client);
    @SuppressWarnings("unchecked")
    Map<String, Object> mon =
        (Map<String, Object>)
            ((Map<String, Object>) cephCluster.getAdditionalProperties().get("spec")).get("mon");
    mon.put("count", 42);

    assertThatThrownBy(() -> client.resource(cephCluster).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining("spec.mon.count")
        .hasMessageContaining("less than or equal to 9");
  }
}
