package dev.homecluster.render.backup;

import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;

/** Tolerations of pods pinned to the backup node. */
final class BackupPlacement {
  private BackupPlacement() {}

  /**
   * A backup node that is also a dedicated master carries the control-plane taint (see the
   * node-roles component); pods pinned to it must tolerate it. Otherwise none are needed.
   */
  static List<Toleration> tolerationsForBackupNode(RenderContext ctx) {
    String name = ctx.spec().getBackup().getNode();
    boolean taintedMaster =
        ctx.spec().getNodes().stream()
            .filter(n -> n.getName().equals(name))
            .anyMatch(n -> n.has(Role.MASTER) && !n.has(Role.WORKER));
    return taintedMaster ? Placement.controlPlaneTolerations() : List.of();
  }
}
