package dev.homecluster.render.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homecluster.render.Names;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The ceph component's objects on a real API server with Rook's published CRDs installed. */
@SimulatedClusterTest(rookCrds = true)
class CephIT {

  static List<String> examples() {
    return Examples.all();
  }

  /** Applied as the operator applies: server-side, strict field validation, forced ownership. */
  private static <T extends HasMetadata> T apply(KubernetesClient client, T object) {
    return client
        .resource(object)
        .fieldValidation(FieldValidateable.Validation.STRICT)
        .fieldManager(Names.OPERATOR)
        .forceConflicts()
        .serverSideApply();
  }

  private static List<GenericKubernetesResource> rookObjects(String example, String namespace) {
    return Rendered.component(example, Names.CEPH).stream()
        .filter(GenericKubernetesResource.class::isInstance)
        .map(GenericKubernetesResource.class::cast)
        .peek(o -> o.getMetadata().setNamespace(namespace))
        .toList();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExamplesRookObjectsAreAcceptedAsRendered(String example, KubernetesClient client) {
    List<GenericKubernetesResource> objects = rookObjects(example, client.getNamespace());
    assertThat(objects).extracting(HasMetadata::getKind).contains("CephCluster", "CephFilesystem");

    for (GenericKubernetesResource object : objects) {
      GenericKubernetesResource stored = apply(client, object);
      assertThat(stored.getMetadata().getUid()).as(object.getKind()).isNotBlank();
      assertThat((Object) stored.get("spec")).as(object.getKind()).isEqualTo(object.get("spec"));
    }
  }

  @Test
  void aCephClusterWithAMonitorCountAsTextIsRejected(KubernetesClient client) {
    GenericKubernetesResource cluster =
        rookObjects(Examples.HOME, client.getNamespace()).stream()
            .filter(o -> o.getKind().equals("CephCluster"))
            .findFirst()
            .orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> mon = (Map<String, Object>) cluster.<Map<String, Object>>get("spec", "mon");
    mon.put("count", "3");

    // Server-side apply refuses to build the typed object: the API server answers 500, not 422,
    // with the field in the message (a plain create answers 422).
    assertThatThrownBy(() -> apply(client, cluster))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(".spec.mon.count")
        .hasMessageContaining("expected numeric");
    assertThatThrownBy(() -> client.resource(cluster).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining("spec.mon.count");
  }

  @Test
  void theKindsTheComponentRequiresAreServed(KubernetesClient client) {
    for (String api : new CephStorage().requiredApis()) {
      int slash = api.lastIndexOf('/');
      String groupVersion = api.substring(0, slash);
      String kind = api.substring(slash + 1);
      assertThat(client.getApiResources(groupVersion).getResources())
          .as(api)
          .extracting(APIResource::getKind)
          .contains(kind);
    }
  }

  @Test
  void theBackupClaimBindsToTheStaticVolumeOfTheFilesystemRoot(KubernetesClient client) {
    // The claim's namespace is the backup component's; the test's own namespace stands in.
    String namespace = client.getNamespace();
    List<HasMetadata> objects = Rendered.component(Examples.HOME, Names.CEPH);
    StorageClass storageClass = Rendered.find(objects, StorageClass.class, "cephfs");
    PersistentVolume volume =
        Rendered.find(objects, PersistentVolume.class, Names.CEPHFS_BACKUP_SOURCE_PV);
    PersistentVolumeClaim claim =
        Rendered.find(objects, PersistentVolumeClaim.class, Names.CEPHFS_BACKUP_SOURCE_PVC);
    volume.getMetadata().setName(volume.getMetadata().getName() + "-" + namespace);
    volume.getSpec().getClaimRef().setNamespace(namespace);
    claim.getMetadata().setNamespace(namespace);
    claim.getSpec().setVolumeName(volume.getMetadata().getName());
    storageClass.getMetadata().setName("cephfs-" + namespace);
    volume.getSpec().setStorageClassName(storageClass.getMetadata().getName());
    claim.getSpec().setStorageClassName(storageClass.getMetadata().getName());
    try {
      apply(client, storageClass);
      apply(client, volume);
      apply(client, claim);

      PersistentVolumeClaim bound =
          Eventually.await(
              "the backup claim is Bound",
              Duration.ofSeconds(60),
              () -> client.resource(claim).get(),
              c -> c.getStatus() != null && "Bound".equals(c.getStatus().getPhase()));
      assertThat(bound.getSpec().getVolumeName()).isEqualTo(volume.getMetadata().getName());
      assertThat(bound.getStatus().getAccessModes()).containsExactly("ReadOnlyMany");
    } finally {
      client.resource(claim).delete();
      client.resource(volume).delete();
      client.resource(storageClass).delete();
    }
  }
}
