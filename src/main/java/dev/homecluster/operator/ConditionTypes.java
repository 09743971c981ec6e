package dev.homecluster.operator;

import dev.homecluster.render.Component;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fixed condition types of a HomeCluster's status, and which condition reports on which
 * component. The one place to look when adding a component with a status of its own.
 */
public final class ConditionTypes {
  /** The cluster is valid, applied, and its control plane and endpoint are ready. */
  public static final String READY = "Ready";
  /** The spec passed validation; False lists every error with its field path. */
  public static final String VALID = "Valid";
  /** Every workload of the control plane components is ready. */
  public static final String CONTROL_PLANE_READY = "ControlPlaneReady";
  /** keepalived and HAProxy serve the virtual IP. */
  public static final String ENDPOINT_READY = "EndpointReady";
  /** Ceph is applied and reports ready. */
  public static final String STORAGE_READY = "StorageReady";
  /** The backup server runs and the last backups succeeded. */
  public static final String BACKUPS_HEALTHY = "BackupsHealthy";

  /** Every type, in the order they appear in the status. */
  public static final List<String> ALL =
      List.of(READY, VALID, CONTROL_PLANE_READY, ENDPOINT_READY, STORAGE_READY, BACKUPS_HEALTHY);

  /** The conditions that report on components. */
  public static final List<String> COMPONENT_CONDITIONS =
      List.of(CONTROL_PLANE_READY, ENDPOINT_READY, STORAGE_READY, BACKUPS_HEALTHY);

  /**
   * Conditions whose falseness makes the cluster unready. Storage and backups are reported, and
   * make the phase Degraded, but a cluster without Ceph or with a failed backup still serves.
   */
  public static final List<String> GATING_READY = List.of(CONTROL_PLANE_READY, ENDPOINT_READY);

  /** Components report in a condition by their package: one package per concern. */
  private static final Map<String, String> BY_PACKAGE =
      Map.of(
          "dev.homecluster.render.controlplane", CONTROL_PLANE_READY,
          "dev.homecluster.render.endpoint", ENDPOINT_READY,
          "dev.homecluster.render.storage", STORAGE_READY,
          "dev.homecluster.render.backup", BACKUPS_HEALTHY);

  private ConditionTypes() {}

  /**
   * The condition a component reports in; empty for components without one (node roles, say),
   * whose workloads then count directly towards Ready.
   */
  public static Optional<String> forComponent(Component component) {
    String pkg = component.getClass().getPackageName();
    return BY_PACKAGE.entrySet().stream()
        .filter(e -> pkg.equals(e.getKey()) || pkg.startsWith(e.getKey() + "."))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  /** Whether the condition's falseness makes the cluster unready. */
  public static boolean gatesReady(String type) {
    return GATING_READY.contains(type);
  }
}
