package dev.homecluster.render.storage;

import static dev.homecluster.render.storage.CephClusterResource.asMap;
import static dev.homecluster.render.storage.CephClusterResource.map;

import dev.homecluster.api.v1alpha1.CephFilesystemSpec;
import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Rook CephFilesystem: a replicated metadata pool, one named replicated data pool, and one
 * active metadata server with a hot standby. Pools keep their copies on different hosts when there
 * are at least three OSD nodes, otherwise on different OSDs (the validator warns then).
 */
public final class CephFilesystemResource {
  public static final String KIND = "CephFilesystem";

  private CephFilesystemResource() {}

  public static GenericKubernetesResource build(HomeClusterSpec spec) {
    CephSpec ceph = spec.getStorage().getCeph();
    CephFilesystemSpec fs = ceph.getFilesystem();
    CephTopology topology = CephTopology.of(spec);
    Map<String, Object> body = new TreeMap<>();
    body.put("metadataPool", pool(topology));
    Map<String, Object> dataPool = pool(topology);
    dataPool.put("name", fs.getDataPoolName());
    body.put("dataPools", List.of(dataPool));
    // Deleting the CephFilesystem object must not delete the files, unless the spec confirmed
    // that Ceph may destroy data.
    body.put(
        "preserveFilesystemOnDelete",
        !CephClusterResource.DESTROY_CONFIRMATION.equals(ceph.getCleanupConfirmation()));
    Map<String, Object> mds = new TreeMap<>();
    mds.put("activeCount", 1);
    mds.put("activeStandby", true);
    mds.put("resources", CephDaemonResources.toMap(CephDaemonResources.mds()));
    mds.put("placement", map("nodeAffinity", asMap(CephClusterResource.workersOnly())));
    mds.put("priorityClassName", "system-cluster-critical");
    body.put("metadataServer", mds);
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(CephClusterResource.API_VERSION)
        .withKind(KIND)
        .withNewMetadata()
        .withName(fs.getName())
        .withNamespace(ceph.getNamespace())
        .endMetadata()
        .withAdditionalProperties(new TreeMap<>(Map.of("spec", body)))
        .build();
  }

  /** Rook names a filesystem's data pool {@code <filesystem>-<pool>} in Ceph. */
  public static String cephDataPoolName(CephFilesystemSpec fs) {
    return fs.getName() + "-" + fs.getDataPoolName();
  }

  private static Map<String, Object> pool(CephTopology topology) {
    Map<String, Object> pool = new TreeMap<>();
    pool.put("failureDomain", topology.failureDomain());
    // Rook refuses a single replica unless told that it is meant (a one-disk lab).
    pool.put(
        "replicated",
        map("size", topology.poolSize(), "requireSafeReplicaSize", topology.poolSize() > 1));
    return pool;
  }
}
