package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Placement;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeTaintsTest {
  private static final Set<String> OURS = Set.of(Placement.CONTROL_PLANE_TAINT_KEY);
  private static final Taint CONTROL_PLANE =
      new TaintBuilder().withKey(Placement.CONTROL_PLANE_TAINT_KEY).withEffect("NoSchedule").build();
  private static final Taint NOT_READY =
      new TaintBuilder().withKey("node.kubernetes.io/not-ready").withEffect("NoExecute").build();

  @Test
  void addsTheControlPlaneTaintAndKeepsTheNodeControllersTaints() {
    List<Taint> result = NodeTaints.reconcile(List.of(NOT_READY), List.of(CONTROL_PLANE), OURS).orElseThrow();
    assertThat(result).containsExactly(NOT_READY, CONTROL_PLANE);
  }

  @Test
  void removesTheControlPlaneTaintWhenAMasterBecomesAWorkerToo() {
    List<Taint> result = NodeTaints.reconcile(List.of(CONTROL_PLANE, NOT_READY), List.of(), OURS).orElseThrow();
    assertThat(result).containsExactly(NOT_READY);
  }

  @Test
  void nothingToDoWhenTheTaintIsThereInAnyOrder() {
    Taint sameWithEmptyValue =
        new TaintBuilder().withKey(Placement.CONTROL_PLANE_TAINT_KEY).withValue("").withEffect("NoSchedule").build();
    assertThat(NodeTaints.reconcile(List.of(NOT_READY, sameWithEmptyValue), List.of(CONTROL_PLANE), OURS)).isEmpty();
    assertThat(NodeTaints.reconcile(null, List.of(), OURS)).isEmpty();
  }
}
