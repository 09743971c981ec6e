package dev.homecluster.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which owned objects hold data: Ceph's clusters, filesystems and pools, and every volume and
 * claim (the NFS export of the backup node, the CephFS backup source). They never carry an owner
 * reference, so deleting the HomeCluster leaves them; {@code spec.deletionPolicy: Delete} makes
 * the operator delete them itself before it lets the HomeCluster go.
 */
public final class DataBearing {
  /** Decided by kind: any object of these kinds may hold data. Kind to its apiVersion. */
  static final Map<String, String> API_VERSIONS =
      new TreeMap<>(
          Map.of(
              "CephCluster", "ceph.rook.io/v1",
              "CephFilesystem", "ceph.rook.io/v1",
              "CephBlockPool", "ceph.rook.io/v1",
              "CephObjectStore", "ceph.rook.io/v1",
              "CephNFS", "ceph.rook.io/v1",
              "PersistentVolume", "v1",
              "PersistentVolumeClaim", "v1"));

  static final Set<String> KINDS = API_VERSIONS.keySet();

  private DataBearing() {}

  public static boolean test(HasMetadata object) {
    return KINDS.contains(object.getKind());
  }

  /**
   * Whether the garbage collector may delete the object with its HomeCluster. Never for data,
   * never for Namespaces (deleting one deletes everything in it, data and objects of others
   * included), CRDs (deleting one deletes every custom resource of its kind) or Nodes (a Node is
   * a machine; the operator only labels it).
   */
  public static boolean garbageCollected(HasMetadata object) {
    if (test(object)) {
      return false;
    }
    return switch (object.getKind()) {
      case "Namespace", "CustomResourceDefinition", "Node" -> false;
      default -> true;
    };
  }
}
