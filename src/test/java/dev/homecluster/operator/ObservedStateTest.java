package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObservedStateTest {

  @Test
  void daemonSetStillRollingOutIsNotReady() {
    var ds =
        new DaemonSetBuilder()
            .withNewMetadata()
            .withName("kube-proxy")
            .withNamespace("kube-system")
            .withGeneration(2L)
            .addToLabels("app.kubernetes.io/component", "kube-proxy")
            .endMetadata()
            .withNewStatus()
            .withObservedGeneration(2L)
            .withDesiredNumberScheduled(3)
            .withNumberReady(3)
            .withUpdatedNumberScheduled(2)
            .endStatus()
            .build();

    WorkloadState state = WorkloadState.of(ds).orElseThrow();

    assertThat(state.isReady()).isFalse();
    assertThat(state.describe()).isEqualTo("DaemonSet kube-system/kube-proxy 3/3 ready, rolling out");
  }

  @Test
  void deploymentWhoseControllerHasNotSeenTheSpecIsNotReady() {
    var d =
        new DeploymentBuilder()
            .withNewMetadata().withName("nfs").withNamespace("b").withGeneration(3L).endMetadata()
            .withNewSpec().withReplicas(1).endSpec()
            .withNewStatus().withObservedGeneration(2L).withReadyReplicas(1).withUpdatedReplicas(1).endStatus()
            .build();
    assertThat(WorkloadState.of(d).orElseThrow().isReady()).isFalse();
  }

  @Test
  void cephClusterIsReadyWhenRookSaysSo() {
    var cephCluster =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("ceph.rook.io/v1")
            .withKind("CephCluster")
            .withNewMetadata().withName("rook-ceph").withNamespace("rook-ceph").endMetadata()
            .build();
    assertThat(CustomResourceState.of(cephCluster).ready()).isFalse();
    assertThat(CustomResourceState.of(cephCluster).detail()).isEqualTo("no status yet");

    cephCluster.getAdditionalProperties().put("status", Map.of("phase", "Ready"));
    assertThat(CustomResourceState.of(cephCluster).ready()).isTrue();
  }

  @Test
  void missingRookNamesWhatToInstall() {
    List<String> missing = List.of("ceph.rook.io/v1/CephCluster");
    assertThat(MissingApis.reason(missing)).isEqualTo("RookNotInstalled");
    assertThat(MissingApis.message(missing)).startsWith("install Rook").contains("ceph.rook.io/v1/CephCluster");
    assertThat(MissingApis.reason(List.of("example.com/v1/Thing"))).isEqualTo("ApiNotServed");
  }
}
