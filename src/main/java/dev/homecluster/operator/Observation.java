package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.BackupStatus;
import dev.homecluster.api.v1alpha1.NodeResourcePlan;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Map;

/**
 * Everything the status is computed from, gathered by the reconciler from its caches before the
 * pure {@link StatusAggregator} runs.
 *
 * @param outcomes per rendered component, in render order: applied, skipped or failed
 * @param workloads owned DaemonSets, Deployments and StatefulSets
 * @param customResources owned custom resources with a status of their own (CephCluster)
 * @param pods pods of owned workloads
 * @param nodes registered Nodes by name
 * @param warnings validation warnings, as {@code path: message}
 * @param backups per backup kind, when known
 * @param backupsCondition the backups' own judgement of their runs ({@code
 *     dev.homecluster.render.backup.BackupHealth}), or null when not evaluated
 * @param resourcePlan requests against allocatable per node, or null when not planned
 */
public record Observation(
    List<ComponentOutcome> outcomes,
    List<WorkloadState> workloads,
    List<CustomResourceState> customResources,
    List<PodState> pods,
    Map<String, NodeState> nodes,
    List<String> warnings,
    List<BackupStatus> backups,
    Condition backupsCondition,
    List<NodeResourcePlan> resourcePlan) {

  /** Without backup runs or a resource plan (what the tests of the other rules need). */
  public Observation(
      List<ComponentOutcome> outcomes,
      List<WorkloadState> workloads,
      List<CustomResourceState> customResources,
      List<PodState> pods,
      Map<String, NodeState> nodes,
      List<String> warnings,
      List<BackupStatus> backups) {
    this(outcomes, workloads, customResources, pods, nodes, warnings, backups, null, null);
  }

  public Observation {
    outcomes = List.copyOf(outcomes);
    workloads = List.copyOf(workloads);
    customResources = List.copyOf(customResources);
    pods = List.copyOf(pods);
    nodes = Map.copyOf(nodes);
    warnings = List.copyOf(warnings);
    backups = backups == null ? null : List.copyOf(backups);
    resourcePlan = resourcePlan == null ? null : List.copyOf(resourcePlan);
  }
}
