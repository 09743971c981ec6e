package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Component;
import dev.homecluster.render.Names;
import dev.homecluster.render.Renderer;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeletionScopeTest {
  private static List<String> removedByDelete(boolean removed) {
    return Renderer.DEFAULT_COMPONENTS.stream()
        .filter(c -> DeletionScope.removedByDelete(c) == removed)
        .map(Component::name)
        .toList();
  }

  @Test
  void noPolicyRemovesWhatTheClusterNeedsToServeItsApi() {
    assertThat(removedByDelete(false))
        .contains(
            Names.NODE_ROLES,
            Names.ETCD_INSTALLER,
            Names.KUBE_APISERVER,
            Names.ENDPOINT,
            Names.POD_CHECKPOINTER,
            Names.KUBE_CONTROLLER_MANAGER,
            Names.KUBE_SCHEDULER,
            Names.FLANNEL,
            Names.KUBE_PROXY,
            Names.COREDNS);
  }

  @Test
  void deleteRemovesTheStorageAndBackupComponents() {
    assertThat(removedByDelete(true))
        .containsExactlyInAnyOrder(
            Names.NFS_SERVER, Names.BACKUP_RSYNC, Names.ZFS_SNAPSHOT, Names.ETCD_SNAPSHOT, Names.CEPH);
  }
}
