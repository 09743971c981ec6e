package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.CephFilesystemSpec;
import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.storage.CephClusterResource;
import dev.homecluster.render.storage.CephDaemonResources;
import dev.homecluster.render.storage.CephTopology;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.regex.Pattern;

/** Ceph settings that can be judged from the spec alone, and the plans that will fall over. */
final class StorageRules implements Rule {
  /** The only value that lets Rook wipe disks on deletion. */
  public static final String DESTROY_CONFIRMATION = CephClusterResource.DESTROY_CONFIRMATION;

  /** The schema's bounds: pool names leave room for the suffixes Rook appends. */
  private static final int POOL_NAME_MAX = 40;

  private static final int MAX_REPLICAS = 7;

  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    CephSpec ceph = spec.getStorage() == null ? null : spec.getStorage().getCeph();
    if (ceph == null || !Boolean.TRUE.equals(ceph.getEnabled())) {
      return;
    }
    String path = "spec.storage.ceph";
    String confirmation = ceph.getCleanupConfirmation();
    if (confirmation != null
        && !confirmation.isEmpty()
        && !DESTROY_CONFIRMATION.equals(confirmation)) {
      problems.error(
          path + ".cleanupConfirmation",
          "must be empty or exactly \"" + DESTROY_CONFIRMATION + "\"");
    }
    Integer mons = ceph.getMonCount();
    if (mons == null || mons < 1 || mons > 9) {
      problems.error(path + ".monCount", "must be between 1 and 9, got " + mons);
    }
    checkName(path + ".namespace", ceph.getNamespace(), DNS_LABEL, 63, problems);
    if (ceph.getImage() == null || ceph.getImage().isBlank()) {
      problems.error(
          path + ".image", "is required (a Ceph image such as " + CephSpec.DEFAULT_IMAGE + ")");
    }
    CephFilesystemSpec fs = ceph.getFilesystem();
    if (fs == null) {
      problems.error(
          path + ".filesystem", "is required (omit it for the defaults, do not set it to null)");
    } else {
      Integer replicas = fs.getReplicas();
      if (replicas == null || replicas < 1) {
        problems.error(path + ".filesystem.replicas", "must be at least 1, got " + replicas);
      } else if (replicas > MAX_REPLICAS) {
        problems.error(
            path + ".filesystem.replicas", "must be at most " + MAX_REPLICAS + ", got " + replicas);
      }
      checkName(path + ".filesystem.name", fs.getName(), DNS_LABEL, POOL_NAME_MAX, problems);
      checkName(
          path + ".filesystem.dataPoolName", fs.getDataPoolName(), DNS_LABEL, POOL_NAME_MAX, problems);
      checkName(
          path + ".filesystem.storageClassName",
          fs.getStorageClassName(),
          DNS_SUBDOMAIN,
          63,
          problems);
    }
    checkResources(spec, ceph, problems);
    if (spec.getNodes() == null || problems.hasErrorAt(path)) {
      return;
    }
    CephTopology topology = CephTopology.of(spec);
    if (topology.osdNodes().isEmpty()) {
      problems.warning(
          path, "Ceph is enabled but no worker lists storageDevices, so there will be no OSDs");
      return;
    }
    checkMonitors(ceph, topology, problems);
    checkReplication(ceph, topology, problems);
  }

  private static void checkName(
      String path, String value, Pattern pattern, int maxLength, Problems problems) {
    if (value == null || value.isEmpty()) {
      problems.error(path, "is required");
    } else if (value.length() > maxLength || !pattern.matcher(value).matches()) {
      problems.error(
          path,
          "must be a lowercase DNS name of at most "
              + maxLength
              + " characters (a-z, 0-9, '-'), got \""
              + Text.shorten(value)
              + "\"");
    }
  }

  private static void checkResources(HomeClusterSpec spec, CephSpec ceph, Problems problems) {
    String path = "spec.storage.ceph";
    checkOsd(path + ".osdResources", ceph.getOsdResources(), problems);
    Quantities.checkRequirements(path + ".monResources", ceph.getMonResources(), problems);
    Quantities.checkRequirements(path + ".mgrResources", ceph.getMgrResources(), problems);
    List<NodeSpec> nodes = spec.getNodes() == null ? List.of() : spec.getNodes();
    for (int i = 0; i < nodes.size(); i++) {
      NodeSpec node = nodes.get(i);
      if (node != null) {
        checkOsd("spec.nodes[" + i + "].osdResources", node.getOsdResources(), problems);
      }
    }
  }

  private static void checkOsd(String path, ResourceRequirements osd, Problems problems) {
    if (osd == null || !Quantities.checkRequirements(path, osd, problems)) {
      return;
    }
    var limit = Quantities.get(osd.getLimits(), "memory");
    if (limit != null
        && limit
                .getNumericalAmount()
                .compareTo(CephDaemonResources.MIN_OSD_MEMORY_LIMIT.getNumericalAmount())
            < 0) {
      problems.warning(
          path + ".limits.memory",
          "an OSD memory limit of "
              + limit
              + " is below "
              + CephDaemonResources.MIN_OSD_MEMORY_LIMIT
              + "; OSDs with less were unstable (Rook recommends at least 2Gi)");
    }
  }

  private static void checkMonitors(CephSpec ceph, CephTopology topology, Problems problems) {
    int mons = ceph.getMonCount();
    String path = "spec.storage.ceph.monCount";
    if (mons % 2 == 0) {
      problems.warning(
          path,
          mons
              + " monitors tolerate no more failures than "
              + (mons - 1)
              + " and can split evenly; use an odd number");
    }
    int holders = topology.monNodes().size();
    if (holders == 0) {
      problems.warning(path, "no node has the worker role, so no monitor can be scheduled");
    } else if (mons > holders && !Boolean.TRUE.equals(ceph.getAllowMultipleMonsPerNode())) {
      problems.warning(
          path,
          mons
              + " monitors need "
              + mons
              + " nodes, but only "
              + holders
              + " (the workers) can hold them; "
              + (mons - holders)
              + " would never be scheduled. Lower monCount or set allowMultipleMonsPerNode");
    }
  }

  private static void checkReplication(CephSpec ceph, CephTopology topology, Problems problems) {
    String path = "spec.storage.ceph.filesystem";
    int requested = CephTopology.requestedReplicas(ceph);
    int osdNodes = topology.osdNodes().size();
    if (requested > osdNodes) {
      problems.warning(
          path + ".replicas",
          requested
              + " replicas but only "
              + osdNodes
              + (osdNodes == 1 ? " node has" : " nodes have")
              + " OSDs, so copies share machines; the pools get size "
              + topology.poolSize()
              + (topology.poolSize() < requested ? " (capped to what the OSDs can hold)" : ""));
    }
    // One replica asked for on purpose (a lab) has no copies that could share a machine.
    if (CephTopology.FAILURE_DOMAIN_OSD.equals(topology.failureDomain()) && requested > 1) {
      String nodes = osdNodes + " OSD " + (osdNodes == 1 ? "node" : "nodes");
      String risk =
          topology.poolSize() == 1
              ? "the pools keep a single copy, so losing one disk loses data"
              : "copies may share a machine, so losing one machine can lose every copy of some"
                    + " data";
      problems.warning(
          path,
          "with "
              + nodes
              + " the failure domain is osd, not host: "
              + risk
              + ". "
              + CephTopology.MIN_HOSTS_FOR_HOST_FAILURE_DOMAIN
              + " workers with storageDevices make it host");
    }
  }
}
