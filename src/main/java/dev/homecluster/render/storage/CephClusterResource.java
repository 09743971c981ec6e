package dev.homecluster.render.storage;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeAffinityBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Rook {@code ceph.rook.io/v1} CephCluster: monitors, managers and dashboard on the workers,
 * one OSD per listed device on each worker that lists devices, resources per daemon, and a cleanup
 * policy that never wipes disks unless the spec confirms it.
 *
 * <p>No Java model of Rook's CRDs exists, so the object is a generic resource whose spec is built
 * here key by key; tests check it against Rook's published CRD schema.
 */
public final class CephClusterResource {
  public static final String API_VERSION = "ceph.rook.io/v1";
  public static final String KIND = "CephCluster";

  /** The only confirmation with which Rook wipes the hosts' data when the cluster is deleted. */
  public static final String DESTROY_CONFIRMATION = "yes-really-destroy-data";

  static final ObjectMapper MAPPER = new ObjectMapper();

  private CephClusterResource() {}

  public static GenericKubernetesResource build(HomeClusterSpec spec) {
    CephSpec ceph = spec.getStorage().getCeph();
    CephTopology topology = CephTopology.of(spec);
    Map<String, Object> body = new TreeMap<>();
    body.put("cephVersion", map("image", ceph.getImage(), "allowUnsupported", false));
    body.put("dataDirHostPath", ceph.getDataDirHostPath());
    body.put(
        "mon",
        map(
            "count", ceph.getMonCount(),
            "allowMultiplePerNode", Boolean.TRUE.equals(ceph.getAllowMultipleMonsPerNode())));
    body.put("mgr", map("count", topology.mgrCount(), "allowMultiplePerNode", false));
    body.put("dashboard", map("enabled", Boolean.TRUE.equals(ceph.getDashboard()), "ssl", true));
    body.put("storage", storage(ceph, topology));
    body.put("resources", resources(ceph));
    body.put("placement", placement());
    body.put(
        "priorityClassNames",
        map(
            "mon",
            "system-node-critical",
            "osd",
            "system-node-critical",
            "mgr",
            "system-cluster-critical"));
    body.put("disruptionManagement", map("managePodBudgets", true));
    body.put("cleanupPolicy", cleanupPolicy(ceph));
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(KIND)
        .withNewMetadata()
        .withName(Names.CEPH_CLUSTER)
        .withNamespace(ceph.getNamespace())
        .endMetadata()
        .withAdditionalProperties(new TreeMap<>(Map.of("spec", body)))
        .build();
  }

  /**
   * One storage device as Rook names it. Rook takes a kernel name ({@code sdb}) or a full udev path
   * ({@code /dev/disk/by-id/...}, stable across reboots) in the same {@code name} field.
   */
  public static Map<String, Object> device(String device) {
    return map("name", device);
  }

  private static Map<String, Object> storage(CephSpec ceph, CephTopology topology) {
    List<Object> nodes = new ArrayList<>();
    for (NodeSpec node : topology.osdNodes()) {
      Map<String, Object> entry = new TreeMap<>();
      // Rook matches this against the kubernetes.io/hostname label, which is the node's name.
      entry.put("name", node.getName());
      entry.put("devices", node.devices().stream().map(CephClusterResource::device).toList());
      if (node.getOsdResources() != null) {
        entry.put("resources", CephDaemonResources.toMap(node.getOsdResources()));
      }
      nodes.add(entry);
    }
    Map<String, Object> storage = new TreeMap<>();
    storage.put("useAllNodes", false);
    storage.put("useAllDevices", false);
    storage.put("nodes", nodes);
    return storage;
  }

  private static Map<String, Object> resources(CephSpec ceph) {
    Map<String, Object> resources = new TreeMap<>();
    resources.put("osd", CephDaemonResources.toMap(CephDaemonResources.osd(ceph)));
    resources.put("mon", CephDaemonResources.toMap(CephDaemonResources.mon(ceph)));
    resources.put("mgr", CephDaemonResources.toMap(CephDaemonResources.mgr(ceph)));
    resources.put("prepareosd", CephDaemonResources.toMap(CephDaemonResources.prepareOsd()));
    return resources;
  }

  /**
   * Every Ceph daemon on the workers. OSDs are pinned by Rook to the nodes listed under storage;
   * they and their prepare jobs tolerate every NoSchedule taint, as the reference cluster did, so a
   * taint never keeps an OSD from the disk the spec put it on.
   */
  private static Map<String, Object> placement() {
    Map<String, Object> placement = new TreeMap<>();
    placement.put("all", map("nodeAffinity", asMap(workersOnly())));
    Map<String, Object> tolerateNoSchedule =
        map(
            "tolerations",
            List.of(
                asMap(
                    new TolerationBuilder()
                        .withOperator("Exists")
                        .withEffect("NoSchedule")
                        .build())));
    placement.put("osd", tolerateNoSchedule);
    placement.put("prepareosd", tolerateNoSchedule);
    return placement;
  }

  /** Required node affinity to the nodes with the worker role label. */
  static NodeAffinity workersOnly() {
    return new NodeAffinityBuilder()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .addNewNodeSelectorTerm()
        .addNewMatchExpression()
        .withKey(Placement.roleLabel(Role.WORKER))
        .withOperator("Exists")
        .endMatchExpression()
        .endNodeSelectorTerm()
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .build();
  }

  private static Map<String, Object> cleanupPolicy(CephSpec ceph) {
    String confirmation =
        DESTROY_CONFIRMATION.equals(ceph.getCleanupConfirmation()) ? DESTROY_CONFIRMATION : "";
    return map("confirmation", confirmation, "allowUninstallWithVolumes", false);
  }

  /** A fabric8 model object as the plain, sorted map a generic resource holds. */
  static Map<String, Object> asMap(Object model) {
    return sorted(MAPPER.convertValue(model, new TypeReference<Map<String, Object>>() {}));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> sorted(Map<String, Object> map) {
    Map<String, Object> out = new TreeMap<>();
    map.forEach(
        (k, v) -> {
          if (v instanceof Map<?, ?> m) {
            out.put(k, sorted((Map<String, Object>) m));
          } else if (v instanceof List<?> l) {
            out.put(
                k,
                l.stream()
                    .map(e -> e instanceof Map<?, ?> m ? sorted((Map<String, Object>) m) : e)
                    .toList());
          } else {
            out.put(k, v);
          }
        });
    return out;
  }

  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> out = new TreeMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      out.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return out;
  }
}
