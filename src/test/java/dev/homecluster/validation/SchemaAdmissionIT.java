package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.testing.Examples;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD's schema and CEL rules, in a real kube-apiserver, refuse the invalid fixtures that they
 * can express with the same field as {@code homecluster validate}, and accept every example: the
 * CLI and the API agree. Dry runs only, so nothing is stored.
 */
@SimulatedClusterTest
class SchemaAdmissionIT {
  /**
   * Fixtures the schema cannot judge (overlapping directories, devices, schedules that never fire,
   * addresses relative to nodeCIDR, node counts): only the validator refuses them, and the
   * operator reports them as Valid=False.
   */
  private static final Set<String> VALIDATOR_ONLY =
      Set.of(
          "ceph-data-dir-equals-etcd",
          "export-path-inside-ceph",
          "vip-network-address",
          "vip-broadcast-address",
          "pod-cidr-too-few-node-ranges",
          "storage-device-same-disk-twice",
          "storage-device-disk-and-partition",
          "storage-device-nvme-partition",
          "storage-device-dev-zero",
          "storage-device-dev-null",
          "storage-device-loop",
          "storage-device-ram",
          "rsync-cron-never-fires",
          "zfs-cron-never-fires",
          "etcd-snapshot-cron-never-fires");

  /** The fixtures of the classes this branch added that the schema refuses too. */
  private static final List<String> SCHEMA_REFUSES =
      List.of(
          "export-path-double-slash",
          "export-path-dot",
          "export-path-etc",
          "export-path-dev",
          "export-path-kubelet",
          "etcd-data-dir-root",
          "etcd-data-dir-etc",
          "ceph-data-dir-var-lib",
          "rsync-target-dot",
          "rsync-target-etcd",
          "rsync-target-results",
          "cluster-name-uppercase",
          "cluster-name-space",
          "cluster-name-newline",
          "cluster-name-too-long",
          "cluster-name-dot",
          "vip-loopback",
          "vip-apiserver-service-ip",
          "vip-in-pod-range",
          "node-address-unspecified",
          "node-address-loopback",
          "node-address-multicast",
          "node-address-link-local",
          "node-address-ipv6-loopback",
          "pod-cidr-smaller-than-node-mask",
          "pod-cidr-ipv6-too-wide",
          "apiserver-port-kubelet",
          "apiserver-port-kube-proxy",
          "apiserver-port-controller-manager",
          "apiserver-port-haproxy-health",
          "endpoint-port-ssh",
          "etcd-version-shell",
          "etcd-version-bad-digest",
          "image-with-space",
          "image-uppercase-repository",
          "image-repository-trailing-slash",
          "ceph-filesystem-name-too-long",
          "ceph-replicas-over-schema-maximum",
          "rsync-timeout-over-a-day",
          "certificates-validity-over-ten-years",
          "storage-devices-over-schema-maximum");

  static Stream<String> schemaRefuses() {
    return SCHEMA_REFUSES.stream();
  }

  static List<String> examples() {
    return Examples.all();
  }

  private static Path fixture(String name) {
    return Examples.repoRoot().resolve("src/test/resources/invalid/" + name + ".yaml");
  }

  @ParameterizedTest
  @MethodSource("schemaRefuses")
  void theApiServerRefusesTheFixtureNamingTheSameField(String name, KubernetesClient client)
      throws Exception {
    String text = Files.readString(fixture(name));
    String field = text.lines().findFirst().orElseThrow().replace("# expect: ", "").strip();
    HomeCluster cluster = Manifests.readHomeCluster(text);
    if (!field.equals("metadata.name")) {
      cluster.getMetadata().setName("admission-" + name);
    }
    assertThat(new Validator().validate(cluster).errors()).extracting(Problem::path).contains(field);

    assertThatThrownBy(() -> client.resource(cluster).dryRun().create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(field.equals("metadata.name") ? "metadata.name" : field);
  }

  @ParameterizedTest
  @MethodSource("examples")
  void theApiServerAcceptsEveryExample(String example, KubernetesClient client) {
    HomeCluster cluster = Examples.load(example);
    cluster.getMetadata().setName("admission-" + cluster.getMetadata().getName());

    HomeCluster accepted = client.resource(cluster).dryRun().create();

    assertThat(accepted.getSpec().getNodes()).hasSameSizeAs(cluster.getSpec().getNodes());
  }

  @ParameterizedTest
  @MethodSource("schemaRefuses")
  void everyListedFixtureExists(String name) throws IOException {
    assertThat(fixture(name)).exists();
    assertThat(VALIDATOR_ONLY).doesNotContain(name);
  }
}
