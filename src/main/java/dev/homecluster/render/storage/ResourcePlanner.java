package dev.homecluster.render.storage;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeCapacity;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.Labels;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.nodes.NodeRoles;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Adds up, per node, the resource requests of every pod the rendered objects will run there, and
 * compares them with what the node offers. Pure: the operator passes the allocatable it observed on
 * Node objects; without it, the spec's declared capacity is used, and without that the node's
 * allocatable is unknown.
 *
 * <p>How pods are placed:
 *
 * <ul>
 *   <li>DaemonSets: one pod on every node whose labels and taints the pod template accepts
 *       (nodeSelector, required node affinity, tolerations of NoSchedule/NoExecute taints). Node
 *       labels and taints are those the node-roles component gives them.
 *   <li>Pods, Jobs and CronJobs pinned to a node (spec.nodeName or a kubernetes.io/hostname
 *       selector): one pod on that node, counted as if always running. Unpinned Jobs and CronJobs
 *       run briefly somewhere and are not counted.
 *   <li>Ceph: one OSD per listed device on its node (the node's OSD resources), then the monitors,
 *       managers and metadata servers as replicas below.
 *   <li>Replicas (Deployments, StatefulSets, Ceph monitors, managers, metadata servers) are an
 *       assumption, since the scheduler decides at run time: each replica goes to an eligible node
 *       holding the fewest replicas of the same workload, then the one with the least memory
 *       requested so far, then the first in spec order. Workloads that must not share a node (Ceph
 *       monitors and managers without allowMultiplePerNode, pods with required anti-affinity on the
 *       hostname) never get two replicas on one node; replicas that find no node are reported as
 *       unplaced.
 * </ul>
 *
 * <p>A pod's request is that of the scheduler: the sum of its containers (and sidecar init
 * containers), or its largest init container if that is larger. Not counted: the OSD prepare jobs
 * (short-lived), and pods that Rook's operator adds without requests (crash collectors, CSI
 * plugins, exporters).
 */
public final class ResourcePlanner {
  private static final BigDecimal ZERO = BigDecimal.ZERO;

  private ResourcePlanner() {}

  /**
   * @param cluster the HomeCluster the objects were rendered from
   * @param objects everything the renderer produced (all components)
   * @param observedAllocatable allocatable cpu and memory of existing Nodes, by node name
   */
  public static ResourcePlan plan(
      HomeCluster cluster,
      List<HasMetadata> objects,
      Map<String, NodeCapacity> observedAllocatable) {
    List<PlannedNode> nodes =
        nodes(cluster, objects, observedAllocatable == null ? Map.of() : observedAllocatable);
    Tally tally = new Tally(nodes);
    List<Replicas> floating = new ArrayList<>();
    for (HasMetadata object : objects) {
      String workload = object.getKind() + " " + qualifiedName(object);
      if (object instanceof DaemonSet ds) {
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        for (PlannedNode node : nodes) {
          if (fit(pod).fits(node)) {
            tally.add(node, workload, podRequests(pod));
          }
        }
      } else if (object instanceof Pod p) {
        pinned(tally, nodes, workload, p.getSpec(), floating);
      } else if (object instanceof Job job) {
        pinned(tally, nodes, workload, job.getSpec().getTemplate().getSpec(), null);
      } else if (object instanceof CronJob cron) {
        pinned(
            tally,
            nodes,
            workload,
            cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec(),
            null);
      } else if (object instanceof Deployment d) {
        floating.add(
            replicas(workload, d.getSpec().getReplicas(), d.getSpec().getTemplate().getSpec()));
      } else if (object instanceof StatefulSet s) {
        floating.add(
            replicas(workload, s.getSpec().getReplicas(), s.getSpec().getTemplate().getSpec()));
      } else if (object instanceof GenericKubernetesResource g
          && CephClusterResource.KIND.equals(g.getKind())) {
        cephCluster(g, tally, nodes, floating);
      } else if (object instanceof GenericKubernetesResource g
          && CephFilesystemResource.KIND.equals(g.getKind())) {
        cephFilesystem(g, floating);
      }
    }
    List<String> unplaced = new ArrayList<>();
    for (Replicas r : floating) {
      place(r, tally, nodes, unplaced);
    }
    return new ResourcePlan(tally.plans(), unplaced);
  }

  private static void pinned(
      Tally tally, List<PlannedNode> nodes, String workload, PodSpec pod, List<Replicas> floating) {
    NodeFit fit = fit(pod);
    String pin = fit.pinnedNode();
    if (pin != null) {
      nodes.stream()
          .filter(n -> n.name().equals(pin) && fit.fits(n))
          .findFirst()
          .ifPresent(n -> tally.add(n, workload, podRequests(pod)));
    } else if (floating != null) {
      floating.add(new Replicas(workload, 1, podRequests(pod), fit, false));
    }
  }

  private static Replicas replicas(String workload, Integer count, PodSpec pod) {
    return new Replicas(
        workload, count == null ? 1 : count, podRequests(pod), fit(pod), hostnameAntiAffinity(pod));
  }

  // --- Ceph, read back from the rendered Rook objects ---

  private static void cephCluster(
      GenericKubernetesResource cluster,
      Tally tally,
      List<PlannedNode> nodes,
      List<Replicas> floating) {
    String name = qualifiedName(cluster);
    Map<String, Object> spec = mapAt(cluster.getAdditionalProperties(), "spec");
    Map<String, Object> resources = mapAt(spec, "resources");
    Map<String, Object> placement = mapAt(spec, "placement");
    ResourceRequirements osd = CephDaemonResources.fromMap(resources.get("osd"));
    for (Object entry : listAt(mapAt(spec, "storage"), "nodes")) {
      Map<String, Object> storageNode = asMap(entry);
      String nodeName = String.valueOf(storageNode.get("name"));
      ResourceRequirements nodeOsd =
          storageNode.containsKey("resources")
              ? CephDaemonResources.fromMap(storageNode.get("resources"))
              : osd;
      for (Object device : listAt(storageNode, "devices")) {
        nodes.stream()
            .filter(n -> n.name().equals(nodeName))
            .findFirst()
            .ifPresent(
                n ->
                    tally.add(
                        n,
                        "ceph-osd " + name + " " + asMap(device).get("name"),
                        requests(nodeOsd)));
      }
    }
    Map<String, Object> mon = mapAt(spec, "mon");
    floating.add(
        new Replicas(
            "ceph-mon " + name,
            intAt(mon, "count", 3),
            requests(CephDaemonResources.fromMap(resources.get("mon"))),
            cephFit(placement, "mon"),
            !Boolean.TRUE.equals(mon.get("allowMultiplePerNode"))));
    Map<String, Object> mgr = mapAt(spec, "mgr");
    floating.add(
        new Replicas(
            "ceph-mgr " + name,
            intAt(mgr, "count", 1),
            requests(CephDaemonResources.fromMap(resources.get("mgr"))),
            cephFit(placement, "mgr"),
            !Boolean.TRUE.equals(mgr.get("allowMultiplePerNode"))));
  }

  private static void cephFilesystem(GenericKubernetesResource fs, List<Replicas> floating) {
    Map<String, Object> mds = mapAt(mapAt(fs.getAdditionalProperties(), "spec"), "metadataServer");
    int count =
        intAt(mds, "activeCount", 1) * (Boolean.TRUE.equals(mds.get("activeStandby")) ? 2 : 1);
    Map<String, Object> placement = mapAt(mds, "placement");
    floating.add(
        new Replicas(
            "ceph-mds " + qualifiedName(fs),
            count,
            requests(CephDaemonResources.fromMap(mds.get("resources"))),
            new NodeFit(
                null,
                Map.of(),
                convert(placement.get("nodeAffinity"), NodeAffinity.class),
                tolerations(placement)),
            false));
  }

  /**
   * Rook merges placement.all with the daemon's own: its node affinity wins, tolerations add up.
   */
  private static NodeFit cephFit(Map<String, Object> placement, String daemon) {
    Map<String, Object> all = mapAt(placement, "all");
    Map<String, Object> own = mapAt(placement, daemon);
    Object affinity =
        own.containsKey("nodeAffinity") ? own.get("nodeAffinity") : all.get("nodeAffinity");
    List<Toleration> tolerations = new ArrayList<>(tolerations(all));
    tolerations.addAll(tolerations(own));
    return new NodeFit(null, Map.of(), convert(affinity, NodeAffinity.class), tolerations);
  }

  private static List<Toleration> tolerations(Map<String, Object> placement) {
    List<Toleration> out = new ArrayList<>();
    for (Object t : listAt(placement, "tolerations")) {
      out.add(convert(t, Toleration.class));
    }
    return out;
  }

  // --- placing replicas ---

  private static void place(
      Replicas replicas, Tally tally, List<PlannedNode> nodes, List<String> unplaced) {
    Map<String, Integer> held = new HashMap<>();
    int missing = 0;
    for (int r = 0; r < replicas.count(); r++) {
      PlannedNode best = null;
      for (PlannedNode node : nodes) {
        int here = held.getOrDefault(node.name(), 0);
        if (!replicas.fit().fits(node) || (replicas.oneReplicaPerNode() && here > 0)) {
          continue;
        }
        if (best == null || better(node, here, best, held.getOrDefault(best.name(), 0), tally)) {
          best = node;
        }
      }
      if (best == null) {
        missing++;
      } else {
        held.merge(best.name(), 1, Integer::sum);
        tally.add(best, replicas.workload(), replicas.requests());
      }
    }
    if (missing > 0) {
      unplaced.add(
          missing
              + " of "
              + replicas.count()
              + " replicas of "
              + replicas.workload()
              + " fit no node");
    }
  }

  private static boolean better(
      PlannedNode node, int here, PlannedNode best, int there, Tally tally) {
    if (here != there) {
      return here < there;
    }
    return tally.memory(node).compareTo(tally.memory(best)) < 0;
  }

  // --- nodes ---

  private static List<PlannedNode> nodes(
      HomeCluster cluster, List<HasMetadata> objects, Map<String, NodeCapacity> observed) {
    Map<String, Node> rendered = new LinkedHashMap<>();
    for (HasMetadata o : objects) {
      if (o instanceof Node n) {
        rendered.put(n.getMetadata().getName(), n);
      }
    }
    if (rendered.isEmpty()) {
      for (HasMetadata o : new NodeRoles().render(RenderContext.of(cluster))) {
        rendered.put(o.getMetadata().getName(), (Node) o);
      }
    }
    List<PlannedNode> out = new ArrayList<>();
    List<NodeSpec> specs = cluster.getSpec().getNodes();
    for (int i = 0; i < specs.size(); i++) {
      NodeSpec spec = specs.get(i);
      Node node = rendered.get(spec.getName());
      Map<String, String> labels = new TreeMap<>();
      List<Taint> taints = List.of();
      if (node != null) {
        if (node.getMetadata().getLabels() != null) {
          labels.putAll(node.getMetadata().getLabels());
        }
        if (node.getSpec() != null && node.getSpec().getTaints() != null) {
          taints = node.getSpec().getTaints();
        }
      }
      labels.put(Labels.HOSTNAME, spec.getName());
      NodeCapacity seen = observed.get(spec.getName());
      NodeCapacity capacity = seen != null ? seen : spec.getCapacity();
      String source = seen != null ? "node" : spec.getCapacity() != null ? "spec" : null;
      out.add(
          new PlannedNode(
              i,
              spec.getName(),
              labels,
              taints,
              capacity == null ? null : amount(capacity.getCpu()),
              capacity == null ? null : amount(capacity.getMemory()),
              source));
    }
    return out;
  }

  // --- requests ---

  private static NodeFit fit(PodSpec pod) {
    NodeAffinity affinity = pod.getAffinity() == null ? null : pod.getAffinity().getNodeAffinity();
    return new NodeFit(pod.getNodeName(), pod.getNodeSelector(), affinity, pod.getTolerations());
  }

  private static boolean hostnameAntiAffinity(PodSpec pod) {
    if (pod.getAffinity() == null || pod.getAffinity().getPodAntiAffinity() == null) {
      return false;
    }
    List<PodAffinityTerm> terms =
        pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    return terms != null
        && terms.stream().anyMatch(t -> Labels.HOSTNAME.equals(t.getTopologyKey()));
  }

  /**
   * The scheduler's view of a pod's requests: containers plus sidecars, or the largest init step.
   */
  static Requests podRequests(PodSpec pod) {
    Requests running = Requests.NONE;
    for (Container c : pod.getContainers()) {
      running = running.plus(requests(c.getResources()));
    }
    Requests sidecars = Requests.NONE;
    Requests largestInit = Requests.NONE;
    for (Container c :
        pod.getInitContainers() == null ? List.<Container>of() : pod.getInitContainers()) {
      Requests own = requests(c.getResources());
      if ("Always".equals(c.getRestartPolicy())) {
        sidecars = sidecars.plus(own);
      } else {
        largestInit = largestInit.max(sidecars.plus(own));
      }
    }
    return running.plus(sidecars).max(largestInit);
  }

  static Requests requests(ResourceRequirements resources) {
    if (resources == null) {
      return Requests.NONE;
    }
    // Kubernetes defaults a missing request to the limit.
    Map<String, Quantity> requests =
        resources.getRequests() == null ? Map.of() : resources.getRequests();
    Map<String, Quantity> limits = resources.getLimits() == null ? Map.of() : resources.getLimits();
    Quantity cpu = requests.containsKey("cpu") ? requests.get("cpu") : limits.get("cpu");
    Quantity memory =
        requests.containsKey("memory") ? requests.get("memory") : limits.get("memory");
    return new Requests(
        Objects.requireNonNullElse(amount(cpu), ZERO),
        Objects.requireNonNullElse(amount(memory), ZERO));
  }

  private static BigDecimal amount(Quantity quantity) {
    return quantity == null ? null : quantity.getNumericalAmount();
  }

  // --- plain maps of generic resources ---

  private static String qualifiedName(HasMetadata object) {
    String ns = object.getMetadata().getNamespace();
    return (ns == null ? "" : ns + "/") + object.getMetadata().getName();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static Map<String, Object> mapAt(Map<String, Object> map, String key) {
    return asMap(map == null ? null : map.get(key));
  }

  private static List<?> listAt(Map<String, Object> map, String key) {
    Object value = map == null ? null : map.get(key);
    return value instanceof List<?> l ? l : List.of();
  }

  private static int intAt(Map<String, Object> map, String key, int fallback) {
    return map.get(key) instanceof Number n ? n.intValue() : fallback;
  }

  private static <T> T convert(Object value, Class<T> type) {
    return value == null ? null : CephClusterResource.MAPPER.convertValue(value, type);
  }

  /** CPU in cores and memory in bytes. */
  record Requests(BigDecimal cpu, BigDecimal memory) {
    static final Requests NONE = new Requests(ZERO, ZERO);

    Requests plus(Requests other) {
      return new Requests(cpu.add(other.cpu), memory.add(other.memory));
    }

    Requests max(Requests other) {
      return new Requests(cpu.max(other.cpu), memory.max(other.memory));
    }
  }

  private record Replicas(
      String workload, int count, Requests requests, NodeFit fit, boolean oneReplicaPerNode) {}

  /** What has been placed so far, per node, in spec order. */
  private static final class Tally {
    private final List<PlannedNode> nodes;
    private final Map<String, List<ResourcePlan.Pod>> pods = new HashMap<>();

    Tally(List<PlannedNode> nodes) {
      this.nodes = nodes;
      nodes.forEach(n -> pods.put(n.name(), new ArrayList<>()));
    }

    void add(PlannedNode node, String workload, Requests requests) {
      pods.get(node.name()).add(new ResourcePlan.Pod(workload, requests.cpu(), requests.memory()));
    }

    BigDecimal memory(PlannedNode node) {
      return pods.get(node.name()).stream()
          .map(ResourcePlan.Pod::memory)
          .reduce(ZERO, BigDecimal::add);
    }

    List<ResourcePlan.NodePlan> plans() {
      return nodes.stream().map(n -> new ResourcePlan.NodePlan(n, pods.get(n.name()))).toList();
    }
  }
}
