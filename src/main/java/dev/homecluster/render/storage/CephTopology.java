package dev.homecluster.render.storage;

import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import java.util.List;
import java.util.Objects;

/**
 * Where Ceph's daemons go and how its pools are laid out, derived from the spec alone. The
 * CephCluster, the CephFilesystem, the validator and the resource planner all read it, so they
 * never disagree.
 *
 * @param osdNodes workers that list storage devices, in spec order (one OSD per device)
 * @param osdCount number of OSDs (devices) in all
 * @param monNodes nodes that may hold monitors, managers and metadata servers: the workers
 * @param failureDomain {@code host} with at least {@link #MIN_HOSTS_FOR_HOST_FAILURE_DOMAIN} OSD
 *     nodes, else {@code osd} (replicas may then share a machine)
 * @param poolSize replica count of the filesystem's pools: the requested replicas, capped at what
 *     the failure domain can hold (OSD nodes for host, OSDs for osd), at least 1
 * @param mgrCount managers: 2 (active + standby) when two workers can hold them, else 1
 */
public record CephTopology(
    List<NodeSpec> osdNodes,
    int osdCount,
    List<NodeSpec> monNodes,
    String failureDomain,
    int poolSize,
    int mgrCount) {

  public static final int MIN_HOSTS_FOR_HOST_FAILURE_DOMAIN = 3;
  public static final String FAILURE_DOMAIN_HOST = "host";
  public static final String FAILURE_DOMAIN_OSD = "osd";

  public CephTopology {
    osdNodes = List.copyOf(osdNodes);
    monNodes = List.copyOf(monNodes);
  }

  public static CephTopology of(HomeClusterSpec spec) {
    List<NodeSpec> nodes =
        spec.getNodes() == null
            ? List.of()
            : spec.getNodes().stream().filter(Objects::nonNull).toList();
    List<NodeSpec> osdNodes =
        nodes.stream().filter(n -> n.has(Role.WORKER) && !n.devices().isEmpty()).toList();
    int osdCount = osdNodes.stream().mapToInt(n -> n.devices().size()).sum();
    List<NodeSpec> monNodes = nodes.stream().filter(n -> n.has(Role.WORKER)).toList();
    boolean hostDomain = osdNodes.size() >= MIN_HOSTS_FOR_HOST_FAILURE_DOMAIN;
    int requested = requestedReplicas(ceph(spec));
    int capacity = hostDomain ? osdNodes.size() : osdCount;
    int poolSize = capacity == 0 ? requested : Math.max(1, Math.min(requested, capacity));
    return new CephTopology(
        osdNodes,
        osdCount,
        monNodes,
        hostDomain ? FAILURE_DOMAIN_HOST : FAILURE_DOMAIN_OSD,
        poolSize,
        monNodes.size() >= 2 ? 2 : 1);
  }

  /** The replicas the spec asks for (3 when unset). */
  public static int requestedReplicas(CephSpec ceph) {
    if (ceph == null
        || ceph.getFilesystem() == null
        || ceph.getFilesystem().getReplicas() == null) {
      return 3;
    }
    return ceph.getFilesystem().getReplicas();
  }

  private static CephSpec ceph(HomeClusterSpec spec) {
    return spec.getStorage() == null ? null : spec.getStorage().getCeph();
  }
}
