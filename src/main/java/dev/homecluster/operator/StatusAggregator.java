package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.ComponentStatus;
import dev.homecluster.api.v1alpha1.EndpointSpec;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.NodeStatus;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.operator.ComponentOutcome.Result;
import dev.homecluster.operator.Conditions.Decision;
import dev.homecluster.validation.Problem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Computes a HomeCluster's status from what was observed: pure, no client and no clock (the time
 * comes in), so every rule here is unit-tested without a cluster.
 *
 * <p>Ready means: the spec is valid, every object that could be applied was, and the control
 * plane, the endpoint and every workload not covered by another condition are ready. Storage and
 * backups are reported in their own conditions and make the phase Degraded, not the cluster
 * unready.
 */
public final class StatusAggregator {
  public static final String PHASE_PENDING = "Pending";
  public static final String PHASE_PROGRESSING = "Progressing";
  public static final String PHASE_READY = "Ready";
  public static final String PHASE_DEGRADED = "Degraded";
  public static final String PHASE_INVALID = "Invalid";
  /** Another HomeCluster manages this cluster: this one writes nothing ({@link ActiveCluster}). */
  public static final String PHASE_REFUSED = "Refused";
  /** The reason of Valid=False and Ready=False on a HomeCluster that another one shadows. */
  public static final String REASON_ANOTHER_CLUSTER = "AnotherHomeClusterActive";

  private static final String NOT_ENABLED = "NotEnabled";

  /** The status of an invalid spec: Valid=False with every error, everything else as it was. */
  public HomeClusterStatus invalid(HomeCluster cluster, List<Problem> errors, Instant now) {
    HomeClusterStatus previous = previous(cluster);
    HomeClusterStatus status = copyOf(previous);
    String message = errors.stream().map(Problem::toString).collect(Collectors.joining("; "));
    List<Decision> decisions =
        List.of(
            Decision.isFalse(ConditionTypes.VALID, "InvalidSpec", message),
            Decision.isFalse(
                ConditionTypes.READY,
                "InvalidSpec",
                "the spec is invalid; nothing was applied or deleted (see the Valid condition)"));
    status.setConditions(
        Conditions.merge(previous.getConditions(), decisions, generation(cluster), now));
    status.setObservedGeneration(generation(cluster));
    status.setPhase(PHASE_INVALID);
    return status;
  }

  /**
   * The status of a HomeCluster that another, older one shadows ({@link ActiveCluster}): Valid=False
   * and Ready=False saying which one is active and what to do, everything else as it was.
   */
  public HomeClusterStatus refused(HomeCluster cluster, String message, Instant now) {
    HomeClusterStatus previous = previous(cluster);
    HomeClusterStatus status = copyOf(previous);
    List<Decision> decisions =
        List.of(
            Decision.isFalse(ConditionTypes.VALID, REASON_ANOTHER_CLUSTER, message),
            Decision.isFalse(
                ConditionTypes.READY,
                REASON_ANOTHER_CLUSTER,
                "another HomeCluster manages this cluster; nothing was applied or deleted (see the"
                    + " Valid condition)"));
    status.setConditions(
        Conditions.merge(previous.getConditions(), decisions, generation(cluster), now));
    status.setObservedGeneration(generation(cluster));
    status.setPhase(PHASE_REFUSED);
    return status;
  }

  /**
   * The status after a reconcile failed before it could observe anything (the API server
   * unreachable, say): Ready=False with the error, everything else as it was.
   */
  public HomeClusterStatus failed(HomeCluster cluster, String message, Instant now) {
    HomeClusterStatus previous = previous(cluster);
    HomeClusterStatus status = copyOf(previous);
    status.setConditions(
        Conditions.merge(
            previous.getConditions(),
            List.of(Decision.isFalse(ConditionTypes.READY, "ReconcileFailed", message)),
            generation(cluster),
            now));
    status.setPhase(PHASE_PROGRESSING);
    return status;
  }

  /** The status of a valid, reconciled spec. */
  public HomeClusterStatus aggregate(HomeCluster cluster, Observation observed, Instant now) {
    HomeClusterStatus previous = previous(cluster);
    HomeClusterStatus status = new HomeClusterStatus();
    status.setObservedGeneration(generation(cluster));
    status.setWarnings(observed.warnings().isEmpty() ? null : observed.warnings());
    status.setMasters(count(cluster, Role.MASTER));
    status.setWorkers(count(cluster, Role.WORKER));
    status.setEndpoint(endpoint(cluster));
    status.setEndpointServers(endpointServers(cluster, observed));
    status.setNodes(nodes(cluster, observed));
    status.setComponents(components(observed));
    status.setBackups(observed.backups() != null ? observed.backups() : previous.getBackups());
    status.setResourcePlan(
        observed.resourcePlan() != null ? observed.resourcePlan() : previous.getResourcePlan());

    List<Decision> decisions = new ArrayList<>();
    decisions.add(Decision.isTrue(ConditionTypes.VALID, "Valid", validMessage(observed)));
    for (String type : ConditionTypes.COMPONENT_CONDITIONS) {
      decisions.add(componentCondition(type, observed));
    }
    decisions.add(0, ready(cluster, decisions, observed));
    status.setConditions(
        Conditions.merge(previous.getConditions(), decisions, generation(cluster), now));
    status.setPhase(phase(cluster, observed, decisions));
    return status;
  }

  private static String validMessage(Observation observed) {
    return observed.warnings().isEmpty()
        ? "the spec is valid"
        : "the spec is valid, with " + observed.warnings().size() + " warning(s): see status.warnings";
  }

  private static Decision componentCondition(String type, Observation observed) {
    Decision fromComponents = componentsCondition(type, observed);
    if (type.equals(ConditionTypes.BACKUPS_HEALTHY)
        && fromComponents.holds()
        && !fromComponents.reason().equals(NOT_ENABLED)
        && observed.backupsCondition() != null) {
      // The backup server and CronJobs are in place; whether the runs succeed is the backups' own
      // judgement (recent success per kind, against each schedule).
      var c = observed.backupsCondition();
      return new Decision(type, c.getStatus(), c.getReason(), c.getMessage());
    }
    return fromComponents;
  }

  private static Decision componentsCondition(String type, Observation observed) {
    List<ComponentOutcome> outcomes =
        observed.outcomes().stream().filter(o -> o.condition().equals(Optional.of(type))).toList();
    if (outcomes.isEmpty()) {
      return Decision.isTrue(type, NOT_ENABLED, "the spec enables no component of this kind");
    }
    Decision unhealthy = unhealthy(type, outcomes, observed);
    if (unhealthy != null) {
      return unhealthy;
    }
    List<String> components = outcomes.stream().map(ComponentOutcome::component).toList();
    long workloads = observed.workloads().stream().filter(w -> components.contains(w.component())).count();
    return Decision.isTrue(
        type,
        "Ready",
        String.join(", ", components) + ": " + workloads + " workload(s) ready");
  }

  /** The first reason the outcomes' components are not healthy, or null. */
  private static Decision unhealthy(String type, List<ComponentOutcome> outcomes, Observation observed) {
    for (ComponentOutcome o : outcomes) {
      if (o.result() != Result.APPLIED) {
        return Decision.isFalse(type, o.reason(), o.component() + ": " + o.message());
      }
    }
    List<String> components = outcomes.stream().map(ComponentOutcome::component).toList();
    List<String> notReady = new ArrayList<>();
    observed.workloads().stream()
        .filter(w -> components.contains(w.component()) && !w.isReady())
        .forEach(w -> notReady.add(w.describe()));
    observed.customResources().stream()
        .filter(r -> components.contains(r.component()) && !r.ready())
        .forEach(r -> notReady.add(r.describe()));
    if (!notReady.isEmpty()) {
      return Decision.isFalse(type, "NotReady", String.join("; ", notReady));
    }
    return null;
  }

  private static Decision ready(HomeCluster cluster, List<Decision> decisions, Observation observed) {
    List<String> blockers = new ArrayList<>();
    // Without its masters there is no cluster to be ready, whatever the workloads report.
    List<String> missingMasters =
        cluster.getSpec().getNodes().stream()
            .filter(n -> n.has(Role.MASTER) && !observed.nodes().containsKey(n.getName()))
            .map(NodeSpec::getName)
            .toList();
    if (!missingMasters.isEmpty()) {
      blockers.add("master Node(s) not registered: " + String.join(", ", missingMasters));
    }
    for (ComponentOutcome o : observed.outcomes()) {
      if (o.result() == Result.FAILED) {
        blockers.add(o.component() + ": " + o.message());
      }
    }
    for (Decision d : decisions) {
      if (ConditionTypes.gatesReady(d.type()) && !d.holds()) {
        blockers.add(d.type() + ": " + d.message());
      }
    }
    // Workloads of components without a condition of their own count here directly.
    List<String> uncovered =
        observed.outcomes().stream()
            .filter(o -> o.condition().isEmpty())
            .map(ComponentOutcome::component)
            .toList();
    observed.workloads().stream()
        .filter(w -> uncovered.contains(w.component()) && !w.isReady())
        .forEach(w -> blockers.add(w.describe()));
    if (blockers.isEmpty()) {
      // Skipped components without a condition of their own are told here, not hidden.
      String skipped =
          observed.outcomes().stream()
              .filter(o -> o.condition().isEmpty() && o.result() == Result.SKIPPED)
              .map(o -> o.component() + " (" + o.reason() + ": " + o.message() + ")")
              .collect(Collectors.joining("; "));
      return Decision.isTrue(
          ConditionTypes.READY,
          "Ready",
          skipped.isEmpty()
              ? "every component is applied and ready"
              : "every applied component is ready; skipped: " + skipped);
    }
    boolean failed = observed.outcomes().stream().anyMatch(o -> o.result() == Result.FAILED);
    return Decision.isFalse(
        ConditionTypes.READY, failed ? "ApplyFailed" : "NotReady", String.join("; ", blockers));
  }

  private static String phase(HomeCluster cluster, Observation observed, List<Decision> decisions) {
    boolean ready = decisions.get(0).holds();
    if (ready) {
      // Unknown (a first backup still to come, say) is not Degraded; False is.
      return decisions.stream().anyMatch(d -> Conditions.FALSE.equals(d.status()))
          ? PHASE_DEGRADED
          : PHASE_READY;
    }
    boolean anyNode =
        cluster.getSpec().getNodes().stream().anyMatch(n -> observed.nodes().containsKey(n.getName()));
    return anyNode ? PHASE_PROGRESSING : PHASE_PENDING;
  }

  private static List<NodeStatus> nodes(HomeCluster cluster, Observation observed) {
    List<NodeStatus> result = new ArrayList<>();
    for (NodeSpec spec : cluster.getSpec().getNodes()) {
      NodeStatus node = new NodeStatus();
      node.setName(spec.getName());
      node.setRoles(spec.getRoles().stream().map(Role::value).toList());
      NodeState state = observed.nodes().get(spec.getName());
      node.setPresent(state != null);
      node.setReady(state != null && state.ready());
      TreeSet<String> running = new TreeSet<>();
      observed.pods().stream()
          .filter(p -> p.ready() && p.nodeName().equals(spec.getName()) && !p.component().isEmpty())
          .forEach(p -> running.add(p.component()));
      node.setComponents(List.copyOf(running));
      result.add(node);
    }
    return result;
  }

  /** Ready and desired pods per component and workload kind, in render order. */
  private static List<ComponentStatus> components(Observation observed) {
    Map<String, ComponentStatus> byKey = new LinkedHashMap<>();
    List<String> order = observed.outcomes().stream().map(ComponentOutcome::component).toList();
    observed.workloads().stream()
        .sorted(
            java.util.Comparator.comparingInt((WorkloadState w) -> rank(order, w.component()))
                .thenComparing(WorkloadState::kind)
                .thenComparing(WorkloadState::name))
        .forEach(
            w -> {
              ComponentStatus c =
                  byKey.computeIfAbsent(
                      w.component() + "/" + w.kind(),
                      k -> new ComponentStatus(w.component(), w.kind(), 0, 0));
              c.setReady(c.getReady() + w.ready());
              c.setDesired(c.getDesired() + w.desired());
            });
    return List.copyOf(byKey.values());
  }

  private static int rank(List<String> order, String component) {
    int i = order.indexOf(component);
    return i < 0 ? order.size() : i;
  }

  /** Masters whose endpoint pod (keepalived + HAProxy) is ready; sorted. */
  private static List<String> endpointServers(HomeCluster cluster, Observation observed) {
    List<String> endpointComponents =
        observed.outcomes().stream()
            .filter(o -> o.condition().equals(Optional.of(ConditionTypes.ENDPOINT_READY)))
            .map(ComponentOutcome::component)
            .toList();
    TreeSet<String> masters =
        cluster.getSpec().getNodes().stream()
            .filter(n -> n.has(Role.MASTER))
            .map(NodeSpec::getName)
            .collect(Collectors.toCollection(TreeSet::new));
    List<String> servers =
        observed.pods().stream()
            .filter(p -> p.ready() && endpointComponents.contains(p.component()))
            .map(PodState::nodeName)
            .filter(masters::contains)
            .distinct()
            .sorted()
            .toList();
    return servers;
  }

  /** {@code vip:port}, the IPv6 form bracketed. */
  static String endpoint(HomeCluster cluster) {
    if (cluster.getSpec().getControlPlane() == null
        || cluster.getSpec().getControlPlane().getEndpoint() == null) {
      return null;
    }
    EndpointSpec ep = cluster.getSpec().getControlPlane().getEndpoint();
    if (ep.getVip() == null) {
      return null;
    }
    String host = ep.getVip().contains(":") ? "[" + ep.getVip() + "]" : ep.getVip();
    return ep.getPort() == null ? host : host + ":" + ep.getPort();
  }

  private static int count(HomeCluster cluster, Role role) {
    return (int) cluster.getSpec().getNodes().stream().filter(n -> n.has(role)).count();
  }

  private static long generation(HomeCluster cluster) {
    return Objects.requireNonNullElse(cluster.getMetadata().getGeneration(), 0L);
  }

  private static HomeClusterStatus previous(HomeCluster cluster) {
    return cluster.getStatus() == null ? new HomeClusterStatus() : cluster.getStatus();
  }

  private static HomeClusterStatus copyOf(HomeClusterStatus status) {
    HomeClusterStatus copy = new HomeClusterStatus();
    copy.setObservedGeneration(status.getObservedGeneration());
    copy.setPhase(status.getPhase());
    copy.setConditions(status.getConditions() == null ? new ArrayList<>() : new ArrayList<>(status.getConditions()));
    copy.setEndpoint(status.getEndpoint());
    copy.setEndpointServers(status.getEndpointServers());
    copy.setMasters(status.getMasters());
    copy.setWorkers(status.getWorkers());
    copy.setWarnings(status.getWarnings());
    copy.setNodes(status.getNodes());
    copy.setComponents(status.getComponents());
    copy.setBackups(status.getBackups());
    copy.setResourcePlan(status.getResourcePlan());
    return copy;
  }
}
