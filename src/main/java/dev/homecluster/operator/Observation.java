package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.BackupStatus;
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
 */
public record Observation(
    List<ComponentOutcome> outcomes,
    List<WorkloadState> workloads,
    List<CustomResourceState> customResources,
    List<PodState> pods,
    Map<String, NodeState> nodes,
    List<String> warnings,
    List<BackupStatus> backups) {

  public Observation {
    outcomes = List.copyOf(outcomes);
    workloads = List.copyOf(workloads);
    customResources = List.copyOf(customResources);
    pods = List.copyOf(pods);
    nodes = Map.copyOf(nodes);
    warnings = List.copyOf(warnings);
    backups = backups == null ? null : List.copyOf(backups);
  }
}
