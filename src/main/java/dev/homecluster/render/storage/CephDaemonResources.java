package dev.homecluster.render.storage;

import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.Map;
import java.util.TreeMap;

/**
 * Requests and limits of every Ceph daemon. The spec's values win; the defaults follow Rook's
 * guidance and the reference cluster's lesson: OSDs need a 2Gi memory limit to be stable, monitors
 * 1Gi, managers 512Mi, and the OSD prepare job gets no memory limit at all (it is killed mid-way
 * otherwise).
 */
public final class CephDaemonResources {
  /** Below this OSD memory limit Rook warns and OSDs were seen to crash. */
  public static final Quantity MIN_OSD_MEMORY_LIMIT = new Quantity("2Gi");

  private CephDaemonResources() {}

  /** OSDs when the spec says nothing: requests cpu 500m, memory 1Gi; limit memory 2Gi. */
  public static ResourceRequirements defaultOsd() {
    return requirements("500m", "1Gi", "2Gi");
  }

  public static ResourceRequirements defaultMon() {
    return requirements("100m", "1Gi", "1Gi");
  }

  public static ResourceRequirements defaultMgr() {
    return requirements("100m", "512Mi", "1Gi");
  }

  /** Metadata servers; Rook gives the MDS cache half the memory limit. */
  public static ResourceRequirements mds() {
    return requirements("100m", "1Gi", "2Gi");
  }

  /** Requests only: a memory limit on the OSD prepare job makes OSD creation fail. */
  public static ResourceRequirements prepareOsd() {
    return requirements("100m", "256Mi", null);
  }

  public static ResourceRequirements osd(CephSpec ceph) {
    return ceph.getOsdResources() != null ? ceph.getOsdResources() : defaultOsd();
  }

  /** The node's override, or the cluster-wide OSD resources. */
  public static ResourceRequirements osd(CephSpec ceph, NodeSpec node) {
    return node.getOsdResources() != null ? node.getOsdResources() : osd(ceph);
  }

  public static ResourceRequirements mon(CephSpec ceph) {
    return ceph.getMonResources() != null ? ceph.getMonResources() : defaultMon();
  }

  public static ResourceRequirements mgr(CephSpec ceph) {
    return ceph.getMgrResources() != null ? ceph.getMgrResources() : defaultMgr();
  }

  /** The requirements as the plain map a Rook resource carries: requests and limits, sorted. */
  public static Map<String, Object> toMap(ResourceRequirements requirements) {
    Map<String, Object> out = new TreeMap<>();
    putQuantities(out, "requests", requirements.getRequests());
    putQuantities(out, "limits", requirements.getLimits());
    return out;
  }

  /** Reads back what {@link #toMap} wrote (the planner reads the rendered CephCluster). */
  public static ResourceRequirements fromMap(Object value) {
    ResourceRequirementsBuilder builder = new ResourceRequirementsBuilder();
    if (value instanceof Map<?, ?> map) {
      builder.withRequests(quantities(map.get("requests")));
      builder.withLimits(quantities(map.get("limits")));
    }
    return builder.build();
  }

  private static void putQuantities(
      Map<String, Object> out, String key, Map<String, Quantity> values) {
    if (values == null || values.isEmpty()) {
      return;
    }
    Map<String, String> sorted = new TreeMap<>();
    values.forEach((name, quantity) -> sorted.put(name, quantity.toString()));
    out.put(key, sorted);
  }

  private static Map<String, Quantity> quantities(Object value) {
    Map<String, Quantity> out = new TreeMap<>();
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> out.put(String.valueOf(k), new Quantity(String.valueOf(v))));
    }
    return out;
  }

  private static ResourceRequirements requirements(String cpu, String memory, String memoryLimit) {
    ResourceRequirementsBuilder builder =
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity(cpu))
            .addToRequests("memory", new Quantity(memory));
    if (memoryLimit != null) {
      builder.addToLimits("memory", new Quantity(memoryLimit));
    }
    return builder.build();
  }
}
