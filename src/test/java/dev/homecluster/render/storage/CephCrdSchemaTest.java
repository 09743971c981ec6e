package dev.homecluster.render.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import dev.homecluster.testing.RookCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rendered Rook objects against the schemas of Rook's published CRDs. */
class CephCrdSchemaTest {
  static final Map<String, String> CRD_BY_KIND =
      Map.of(
          "CephCluster", "cephclusters.ceph.rook.io",
          "CephFilesystem", "cephfilesystems.ceph.rook.io",
          "CephClient", "cephclients.ceph.rook.io");

  @BeforeEach
  void needsRooksCrds() {
    assumeTrue(RookCrds.file().isPresent(), RookCrds::missingMessage);
  }

  static List<String> examples() {
    return Examples.all();
  }

  private static List<GenericKubernetesResource> rookObjects(String example) {
    return Rendered.component(example, Names.CEPH).stream()
        .filter(GenericKubernetesResource.class::isInstance)
        .map(GenericKubernetesResource.class::cast)
        .toList();
  }

  private static GenericKubernetesResource ofKind(String example, String kind) {
    return rookObjects(example).stream()
        .filter(o -> o.getKind().equals(kind))
        .findFirst()
        .orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> at(GenericKubernetesResource object, String... path) {
    Object node = object.getAdditionalProperties();
    for (String key : path) {
      node = ((Map<String, Object>) node).get(key);
    }
    return (Map<String, Object>) node;
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyRookObjectOfEveryExampleMatchesRooksSchema(String example) {
    List<GenericKubernetesResource> objects = rookObjects(example);

    assertThat(objects).extracting(HasMetadata::getKind).contains("CephCluster", "CephFilesystem");
    for (GenericKubernetesResource object : objects) {
      assertThat(RookCrds.validate(CRD_BY_KIND.get(object.getKind()), object))
          .as("%s %s of example %s", object.getKind(), object.getMetadata().getName(), example)
          .isEmpty();
    }
  }

  @Test
  void aMonitorCountGivenAsTextIsRejected() {
    GenericKubernetesResource cluster = ofKind(Examples.HOME, "CephCluster");
    at(cluster, "spec", "mon").put("count", "3");

    assertThat(RookCrds.validate("cephclusters.ceph.rook.io", cluster))
        .anySatisfy(p -> assertThat(p).contains("$.spec.mon.count").contains("string"));
  }

  @Test
  void anUnknownFieldUnderSpecIsRejected() {
    GenericKubernetesResource cluster = ofKind(Examples.HOME, "CephCluster");
    at(cluster, "spec").put("monCount", 3);

    assertThat(RookCrds.validate("cephclusters.ceph.rook.io", cluster))
        .anySatisfy(p -> assertThat(p).contains("monCount"));
  }

  @Test
  void aWrongCleanupConfirmationIsRejectedAndANullOneIsAllowed() {
    GenericKubernetesResource cluster = ofKind(Examples.HOME, "CephCluster");
    at(cluster, "spec", "cleanupPolicy").put("confirmation", null);
    assertThat(RookCrds.validate("cephclusters.ceph.rook.io", cluster)).isEmpty();

    at(cluster, "spec", "cleanupPolicy").put("confirmation", "yes");
    assertThat(RookCrds.validate("cephclusters.ceph.rook.io", cluster))
        .anySatisfy(p -> assertThat(p).contains("$.spec.cleanupPolicy.confirmation"));
  }

  @Test
  void aFilesystemWithoutDataPoolsIsRejected() {
    GenericKubernetesResource fs = ofKind(Examples.HOME, "CephFilesystem");
    at(fs, "spec").remove("dataPools");

    assertThat(RookCrds.validate("cephfilesystems.ceph.rook.io", fs))
        .anySatisfy(p -> assertThat(p).contains("dataPools"));
  }

  @Test
  void anOsdMemoryLimitThatIsNotAQuantityIsRejected() {
    GenericKubernetesResource cluster = ofKind(Examples.HOME, "CephCluster");
    at(cluster, "spec", "resources", "osd", "limits").put("memory", "two gigs");

    assertThat(RookCrds.validate("cephclusters.ceph.rook.io", cluster))
        .anySatisfy(p -> assertThat(p).contains("$.spec.resources.osd.limits.memory"));
  }
}
