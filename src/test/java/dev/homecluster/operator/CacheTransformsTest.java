package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import org.junit.jupiter.api.Test;

class CacheTransformsTest {
  private static ManagedFieldsEntry entry(String manager, String operation) {
    return new ManagedFieldsEntryBuilder().withManager(manager).withOperation(operation).build();
  }

  @Test
  void keepsOnlyTheOperatorsApplyEntry() {
    DaemonSet ds =
        new DaemonSetBuilder()
            .withNewMetadata()
            .withName("kube-proxy")
            .withManagedFields(
                entry("kube-controller-manager", "Update"),
                entry(Names.OPERATOR, "Apply"),
                entry("kubectl", "Apply"))
            .endMetadata()
            .build();

    CacheTransforms.ownManagedFieldsOnly(ds);

    assertThat(ds.getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .containsExactly(Names.OPERATOR);
  }

  @Test
  void nodesLoseTheirImageList() {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName("worker-1")
            .addToLabels("node-role.kubernetes.io/worker", "")
            .endMetadata()
            .withNewStatus()
            .withImages(new ContainerImageBuilder().withNames("registry.k8s.io/pause:3.10").build())
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();

    CacheTransforms.slimNode(node);

    assertThat(node.getStatus().getImages()).isNull();
    assertThat(NodeState.of(node).ready()).isTrue();
    assertThat(node.getMetadata().getLabels()).containsKey("node-role.kubernetes.io/worker");
  }

  @Test
  void podsKeepOnlyWhatTheStatusNeeds() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("kube-proxy-abc")
            .addToLabels("app.kubernetes.io/component", "kube-proxy")
            .addToAnnotations("big", "x".repeat(1000))
            .endMetadata()
            .withNewSpec()
            .withNodeName("worker-1")
            .addNewContainer()
            .withName("kube-proxy")
            .withImage("registry.k8s.io/kube-proxy:v1.34.2")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    PodState before = PodState.of(pod);

    CacheTransforms.slimPod(pod);

    assertThat(pod.getSpec().getContainers()).isEmpty();
    assertThat(pod.getMetadata().getAnnotations()).isEmpty();
    assertThat(PodState.of(pod)).isEqualTo(before).isEqualTo(new PodState("kube-proxy", "worker-1", true));
  }

  @Test
  void heartbeatsDoNotTriggerReconcilesButLabelAndReadinessChangesDo() {
    Node before = new NodeBuilder().withNewMetadata().withName("m").endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("True").withLastHeartbeatTime("t1").endCondition().endStatus().build();
    Node heartbeat = new NodeBuilder(before).editStatus().editFirstCondition().withLastHeartbeatTime("t2").endCondition().endStatus().build();
    Node labelled = new NodeBuilder(before).editMetadata().addToLabels("a", "b").endMetadata().build();
    Node notReady = new NodeBuilder(before).editStatus().editFirstCondition().withStatus("False").endCondition().endStatus().build();

    assertThat(NodeChange.relevant(before, heartbeat)).isFalse();
    assertThat(NodeChange.relevant(before, labelled)).isTrue();
    assertThat(NodeChange.relevant(before, notReady)).isTrue();
  }
}
