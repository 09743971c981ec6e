package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import org.junit.jupiter.api.Test;

class DataBearingTest {

  @Test
  void cephClusterAndVolumesAreDataAndNeverGarbageCollected() {
    var cephCluster =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("ceph.rook.io/v1")
            .withKind("CephCluster")
            .withNewMetadata()
            .withName("rook-ceph")
            .endMetadata()
            .build();
    var pv = new PersistentVolumeBuilder().withNewMetadata().withName("nfs").endMetadata().build();
    var pvc = new PersistentVolumeClaimBuilder().withNewMetadata().withName("nfs").endMetadata().build();

    for (var object : java.util.List.of(cephCluster, pv, pvc)) {
      assertThat(DataBearing.test(object)).as(object.getKind()).isTrue();
      assertThat(DataBearing.garbageCollected(object)).as(object.getKind()).isFalse();
    }
  }

  @Test
  void namespacesAndNodesAreNeverGarbageCollected() {
    assertThat(DataBearing.garbageCollected(new NamespaceBuilder().withNewMetadata().withName("x").endMetadata().build()))
        .isFalse();
    assertThat(DataBearing.garbageCollected(new NodeBuilder().withNewMetadata().withName("m").endMetadata().build()))
        .isFalse();
  }

  @Test
  void statelessWorkloadsAreGarbageCollected() {
    var ds = new DaemonSetBuilder().withNewMetadata().withName("kube-proxy").endMetadata().build();
    assertThat(DataBearing.test(ds)).isFalse();
    assertThat(DataBearing.garbageCollected(ds)).isTrue();
  }
}
