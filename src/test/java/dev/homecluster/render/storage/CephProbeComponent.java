package dev.homecluster.render.storage;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Component;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * A test stand-in for the storage component (in its package, so it reports in StorageReady): a
 * namespace, a CephCluster and a static PersistentVolume, needing Rook's CephCluster kind. The
 * operator tests use it for the skip-without-Rook and the keep-data-on-deletion paths.
 */
public final class CephProbeComponent implements Component {
  public static final String NAME = "it-ceph";
  /**
   * Rook's default namespace: one the operator watches (Names.OPERATOR_NAMESPACES), as the real
   * storage component's objects are, so its informers and the deletion's lookup see the probe's.
   */
  public static final String NAMESPACE = dev.homecluster.api.v1alpha1.CephSpec.DEFAULT_NAMESPACE;
  public static final String CEPH_CLUSTER = "it-ceph";
  public static final String VOLUME = "it-backup-volume";
  public static final String CEPH_CLUSTER_API = "ceph.rook.io/v1/CephCluster";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> requiredApis() {
    return List.of(CEPH_CLUSTER_API);
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    return List.of(
        new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build(),
        new GenericKubernetesResourceBuilder()
            .withApiVersion("ceph.rook.io/v1")
            .withKind("CephCluster")
            .withNewMetadata()
            .withName(CEPH_CLUSTER)
            .withNamespace(NAMESPACE)
            .endMetadata()
            .addToAdditionalProperties(
                "spec",
                Map.of(
                    "cephVersion", Map.of("image", "quay.io/ceph/ceph:v19.2.3"),
                    "dataDirHostPath", "/var/lib/rook",
                    "mon", Map.of("count", 3, "allowMultiplePerNode", true)))
            .build(),
        new PersistentVolumeBuilder()
            .withNewMetadata()
            .withName(VOLUME)
            .endMetadata()
            .withNewSpec()
            .withCapacity(Map.of("storage", new Quantity("1Ti")))
            .withAccessModes("ReadWriteMany")
            .withPersistentVolumeReclaimPolicy("Retain")
            .withNewNfs()
            .withServer(backupAddress(ctx.cluster()))
            .withPath("/tank")
            .endNfs()
            .endSpec()
            .build());
  }

  private static String backupAddress(HomeCluster cluster) {
    String node = cluster.getSpec().getBackup().getNode();
    return cluster.getSpec().getNodes().stream()
        .filter(n -> n.getName().equals(node))
        .findFirst()
        .orElseThrow()
        .getAddress();
  }
}
