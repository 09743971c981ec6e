package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import org.junit.jupiter.api.Test;

class WatchedNamespacesTest {
  @Test
  void withoutTheVariableTheOperatorWatchesTheNamespacesItRendersInto() {
    assertThat(WatchedNamespaces.parse(null)).containsExactlyInAnyOrderElementsOf(Names.OPERATOR_NAMESPACES);
    assertThat(WatchedNamespaces.parse(" , ")).containsExactlyInAnyOrderElementsOf(Names.OPERATOR_NAMESPACES);
    assertThat(Names.OPERATOR_NAMESPACES).contains("kube-system", "homecluster-backup", "rook-ceph");
  }

  @Test
  void theChartsListReplacesTheDefault() {
    assertThat(WatchedNamespaces.parse("kube-system, homecluster-backup,ceph-home"))
        .containsExactlyInAnyOrder("kube-system", "homecluster-backup", "ceph-home");
  }

  /** Namespaced kinds get a namespace-scoped informer; cluster-scoped ones keep a cluster-wide one. */
  @Test
  void namespacedKindsAreRecognisedTypedAndGeneric() {
    assertThat(OwnedInformers.namespaced(new ConfigMapBuilder().build())).isTrue();
    assertThat(OwnedInformers.namespaced(new JobBuilder().build())).as("the backup Jobs' example has no namespace").isTrue();
    assertThat(OwnedInformers.namespaced(new PersistentVolumeBuilder().build())).isFalse();
    assertThat(OwnedInformers.namespaced(new ClusterRoleBuilder().build())).isFalse();
    assertThat(OwnedInformers.namespaced(new NamespaceBuilder().build())).isFalse();
    assertThat(OwnedInformers.namespaced(new NodeBuilder().build())).isFalse();
    GenericKubernetesResource cephCluster = new GenericKubernetesResource();
    cephCluster.setApiVersion("ceph.rook.io/v1");
    cephCluster.setKind("CephCluster");
    cephCluster.setMetadata(new ObjectMetaBuilder().withName("rook-ceph").withNamespace("rook-ceph").build());
    assertThat(OwnedInformers.namespaced(cephCluster)).isTrue();
  }

  /**
   * Each namespaced kind is watched per namespace the rendering uses (one informer, one item
   * store each), Secrets only in kube-system, cluster-scoped kinds cluster-wide.
   */
  @Test
  void informersWatchTheNamespaceOfTheRenderedObject() {
    assertThat(OwnedInformers.namespace(new ConfigMapBuilder().withNewMetadata().withNamespace(Names.BACKUP_NAMESPACE)
        .endMetadata().build())).isEqualTo(Names.BACKUP_NAMESPACE);
    assertThat(OwnedInformers.namespace(new io.fabric8.kubernetes.api.model.SecretBuilder().build()))
        .isEqualTo(Names.CONTROL_PLANE_NAMESPACE);
    assertThat(OwnedInformers.namespace(new PersistentVolumeBuilder().build())).isNull();
    assertThat(OwnedInformers.name("apps/v1", "DaemonSet", "kube-system")).isEqualTo("owned-daemonset.apps-v1-kube-system");
    assertThat(OwnedInformers.name("v1", "PersistentVolume", null)).isEqualTo("owned-persistentvolume.v1");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OwnedInformers.namespace(new JobBuilder().build()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
