package dev.homecluster.render.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.BackupSpec;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CephStorageTest {

  private static List<HasMetadata> render(HomeCluster cluster) {
    return Rendered.component(cluster, Names.CEPH);
  }

  private static GenericKubernetesResource cephCluster(List<HasMetadata> objects) {
    return Rendered.find(objects, GenericKubernetesResource.class, Names.CEPH_CLUSTER);
  }

  private static GenericKubernetesResource filesystem(List<HasMetadata> objects, String name) {
    return objects.stream()
        .filter(
            o -> o instanceof GenericKubernetesResource g && g.getKind().equals("CephFilesystem"))
        .map(GenericKubernetesResource.class::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> storageNodes(GenericKubernetesResource cluster) {
    return (List<Map<String, Object>>) cluster.get("spec", "storage", "nodes");
  }

  @Test
  void everyWorkerWithDevicesGetsOneStorageNodeWithItsDevicesAndNothingElseIsUsed() {
    GenericKubernetesResource cluster = cephCluster(render(Examples.load(Examples.HOME)));

    assertThat(storageNodes(cluster))
        .extracting(n -> n.get("name"))
        .containsExactly("worker-1", "worker-2", "worker-3");
    assertThat(storageNodes(cluster).get(0).get("devices"))
        .isEqualTo(List.of(Map.of("name", "sdb")));
    assertThat((Object) cluster.get("spec", "storage", "useAllNodes")).isEqualTo(false);
    assertThat((Object) cluster.get("spec", "storage", "useAllDevices")).isEqualTo(false);
    assertThat(cluster.getMetadata().getNamespace()).isEqualTo("rook-ceph");
  }

  @Test
  void aWorkerWithoutDevicesCarriesNoOsd() {
    // big: backup-2 is a worker without storageDevices.
    GenericKubernetesResource cluster = cephCluster(render(Examples.load(Examples.BIG)));

    assertThat(storageNodes(cluster))
        .hasSize(12)
        .extracting(n -> n.get("name"))
        .doesNotContain("backup-2");
    assertThat(storageNodes(cluster).get(0).get("devices"))
        .isEqualTo(List.of(Map.of("name", "sdb"), Map.of("name", "sdc")));
  }

  @Test
  void stableDevicePathsArePassedToRookAsFullPathNames() {
    GenericKubernetesResource cluster = cephCluster(render(Examples.load(Examples.ONE_BOX_LAB)));

    assertThat(storageNodes(cluster).get(0).get("devices"))
        .isEqualTo(
            List.of(Map.of("name", "/dev/disk/by-id/nvme-Samsung_SSD_980_1TB_S649NF0R123456")));
  }

  @Test
  void osdsGetTheSpecResourcesAndANodeOverrideGoesToThatNodeOnly() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec()
        .getNodes()
        .get(4)
        .setOsdResources(
            new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("1"))
                .addToRequests("memory", new Quantity("2Gi"))
                .addToLimits("memory", new Quantity("3Gi"))
                .build());

    GenericKubernetesResource cluster = cephCluster(render(home));

    assertThat((Object) cluster.get("spec", "resources", "osd"))
        .isEqualTo(
            Map.of(
                "requests",
                Map.of("cpu", "500m", "memory", "1Gi"),
                "limits",
                Map.of("cpu", "500m", "memory", "2Gi")));
    assertThat(storageNodes(cluster).get(1))
        .containsEntry("name", "worker-2")
        .containsEntry(
            "resources",
            Map.of(
                "requests",
                Map.of("cpu", "1", "memory", "2Gi"),
                "limits",
                Map.of("memory", "3Gi")));
    assertThat(storageNodes(cluster).get(0)).doesNotContainKey("resources");
    assertThat(storageNodes(cluster).get(2)).doesNotContainKey("resources");
  }

  @Test
  void withoutOsdResourcesTheDefaultsFollowTheTwoGigabyteLesson() {
    GenericKubernetesResource cluster = cephCluster(render(Examples.load(Examples.ONE_BOX_LAB)));

    assertThat((Object) cluster.get("spec", "resources", "osd"))
        .isEqualTo(
            Map.of(
                "requests",
                Map.of("cpu", "500m", "memory", "1Gi"),
                "limits",
                Map.of("memory", "2Gi")));
    assertThat((Object) cluster.get("spec", "resources", "mon", "limits", "memory"))
        .isEqualTo("1Gi");
    assertThat((Object) cluster.get("spec", "resources", "mgr", "requests", "memory"))
        .isEqualTo("512Mi");
  }

  @Test
  void theOsdPrepareJobHasNoMemoryLimit() {
    GenericKubernetesResource cluster = cephCluster(render(Examples.load(Examples.HOME)));

    Map<String, Object> prepare = cluster.get("spec", "resources", "prepareosd");
    assertThat(prepare).containsOnlyKeys("requests");
  }

  @Test
  void osdsTolerateEveryNoScheduleTaintAndDaemonsStayOnWorkers() {
    GenericKubernetesResource cluster = cephCluster(render(Examples.load(Examples.HOME)));

    assertThat((Object) cluster.get("spec", "placement", "osd", "tolerations"))
        .isEqualTo(List.of(Map.of("operator", "Exists", "effect", "NoSchedule")));
    assertThat((Object) cluster.get("spec", "placement", "prepareosd", "tolerations"))
        .isEqualTo(List.of(Map.of("operator", "Exists", "effect", "NoSchedule")));
    assertThat(
            (Object)
                cluster.get(
                    "spec",
                    "placement",
                    "all",
                    "nodeAffinity",
                    "requiredDuringSchedulingIgnoredDuringExecution",
                    "nodeSelectorTerms",
                    0,
                    "matchExpressions",
                    0))
        .isEqualTo(Map.of("key", "node-role.kubernetes.io/worker", "operator", "Exists"));
  }

  @Test
  void monitorsAndManagersFollowTheSpec() {
    GenericKubernetesResource home = cephCluster(render(Examples.load(Examples.HOME)));
    GenericKubernetesResource lab = cephCluster(render(Examples.load(Examples.ONE_BOX_LAB)));

    assertThat((Object) home.get("spec", "mon"))
        .isEqualTo(Map.of("count", 3, "allowMultiplePerNode", true));
    assertThat((Object) home.get("spec", "mgr", "count")).isEqualTo(2);
    assertThat((Object) home.get("spec", "dashboard", "enabled")).isEqualTo(true);
    assertThat((Object) home.get("spec", "dataDirHostPath")).isEqualTo("/var/lib/rook-ceph");
    assertThat((Object) home.get("spec", "disruptionManagement", "managePodBudgets"))
        .isEqualTo(true);
    assertThat((Object) lab.get("spec", "mon"))
        .isEqualTo(Map.of("count", 1, "allowMultiplePerNode", false));
    assertThat((Object) lab.get("spec", "mgr", "count")).isEqualTo(1);
  }

  @Test
  void cleanupNeverWipesDisksUnlessConfirmedExactly() {
    HomeCluster home = Examples.load(Examples.HOME);
    List<HasMetadata> kept = render(home);
    home.getSpec().getStorage().getCeph().setCleanupConfirmation("yes-really-destroy-data");
    List<HasMetadata> destroyed = render(home);

    assertThat((Object) cephCluster(kept).get("spec", "cleanupPolicy"))
        .isEqualTo(Map.of("confirmation", "", "allowUninstallWithVolumes", false));
    assertThat((Object) filesystem(kept, "homefs").get("spec", "preserveFilesystemOnDelete"))
        .isEqualTo(true);
    assertThat((Object) cephCluster(destroyed).get("spec", "cleanupPolicy", "confirmation"))
        .isEqualTo("yes-really-destroy-data");
    assertThat((Object) filesystem(destroyed, "homefs").get("spec", "preserveFilesystemOnDelete"))
        .isEqualTo(false);
  }

  @Test
  void threeOsdNodesSpreadCopiesOverHosts() {
    GenericKubernetesResource fs = filesystem(render(Examples.load(Examples.HOME)), "homefs");

    assertThat((Object) fs.get("spec", "metadataPool"))
        .isEqualTo(
            Map.of(
                "failureDomain",
                "host",
                "replicated",
                Map.of("size", 3, "requireSafeReplicaSize", true)));
    assertThat((Object) fs.get("spec", "dataPools"))
        .isEqualTo(
            List.of(
                Map.of(
                    "name",
                    "data",
                    "failureDomain",
                    "host",
                    "replicated",
                    Map.of("size", 3, "requireSafeReplicaSize", true))));
    assertThat((Object) fs.get("spec", "metadataServer", "activeCount")).isEqualTo(1);
    assertThat((Object) fs.get("spec", "metadataServer", "activeStandby")).isEqualTo(true);
  }

  @Test
  void twoOsdNodesFallBackToOsdFailureDomainAndCapTheReplicasAtTheOsds() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().getNodes().get(5).setStorageDevices(null);

    GenericKubernetesResource fs = filesystem(render(home), "homefs");

    assertThat((Object) fs.get("spec", "dataPools", 0, "failureDomain")).isEqualTo("osd");
    assertThat((Object) fs.get("spec", "dataPools", 0, "replicated", "size")).isEqualTo(2);
    assertThat((Object) fs.get("spec", "metadataPool", "replicated", "size")).isEqualTo(2);
  }

  @Test
  void aSingleReplicaIsDeclaredUnsafeOnPurpose() {
    GenericKubernetesResource fs = filesystem(render(Examples.load(Examples.ONE_BOX_LAB)), "labfs");

    assertThat((Object) fs.get("spec", "dataPools", 0, "replicated"))
        .isEqualTo(Map.of("size", 1, "requireSafeReplicaSize", false));
    assertThat((Object) fs.get("spec", "dataPools", 0, "failureDomain")).isEqualTo("osd");
  }

  @Test
  void storageClassPointsAtTheFilesystemsDataPoolInTheCephNamespace() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().getStorage().getCeph().setNamespace("ceph-home");

    List<HasMetadata> objects = render(home);
    StorageClass sc = Rendered.find(objects, StorageClass.class, "cephfs");

    assertThat(sc.getProvisioner()).isEqualTo("ceph-home.cephfs.csi.ceph.com");
    assertThat(sc.getParameters())
        .containsEntry("clusterID", "ceph-home")
        .containsEntry("fsName", "homefs")
        .containsEntry("pool", "homefs-data")
        .containsEntry("csi.storage.k8s.io/provisioner-secret-name", "rook-csi-cephfs-provisioner")
        .containsEntry("csi.storage.k8s.io/node-stage-secret-name", "rook-csi-cephfs-node")
        .containsEntry("csi.storage.k8s.io/node-stage-secret-namespace", "ceph-home");
    assertThat(sc.getReclaimPolicy()).isEqualTo("Retain");
    assertThat(cephCluster(objects).getMetadata().getNamespace()).isEqualTo("ceph-home");
  }

  @Test
  void backupReadsTheWholeFilesystemThroughAReadOnlyClaimBoundToTheRoot() {
    List<HasMetadata> objects = render(Examples.load(Examples.HOME));

    PersistentVolumeClaim pvc =
        Rendered.find(objects, PersistentVolumeClaim.class, Names.CEPHFS_BACKUP_SOURCE_PVC);
    PersistentVolume pv =
        Rendered.find(objects, PersistentVolume.class, Names.CEPHFS_BACKUP_SOURCE_PV);
    assertThat(pvc.getMetadata().getNamespace()).isEqualTo(Names.BACKUP_NAMESPACE);
    assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadOnlyMany");
    assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("cephfs");
    assertThat(pvc.getSpec().getVolumeName()).isEqualTo(pv.getMetadata().getName());
    assertThat(pv.getSpec().getClaimRef().getName()).isEqualTo(Names.CEPHFS_BACKUP_SOURCE_PVC);
    assertThat(pv.getSpec().getCsi().getVolumeAttributes())
        .containsEntry("rootPath", "/")
        .containsEntry("staticVolume", "true")
        .containsEntry("fsName", "homefs");
    assertThat(pv.getSpec().getCsi().getReadOnly()).isTrue();
    assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Retain");
  }

  @Test
  void withoutBackupsThereIsNoBackupSource() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().setBackup((BackupSpec) null);

    assertThat(render(home))
        .extracting(HasMetadata::getKind)
        .containsExactly("StorageClass", "CephCluster", "CephFilesystem");
  }

  @Test
  void disabledCephRendersNothing() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().getStorage().getCeph().setEnabled(false);

    assertThat(new Renderer().render(RenderContext.of(home)).components())
        .extracting(c -> c.component())
        .doesNotContain(Names.CEPH);
  }

  @Test
  void declaresRooksKindsSoTheOperatorCanSkipCephWithoutRook() {
    assertThat(new CephStorage().requiredApis())
        .contains("ceph.rook.io/v1/CephCluster", "ceph.rook.io/v1/CephFilesystem");
  }

  @Test
  void workersAreTheOnlyOsdNodes() {
    HomeCluster home = Examples.load(Examples.HOME);
    NodeSpec master = home.getSpec().getNodes().get(0);

    assertThat(CephTopology.of(home.getSpec()).osdNodes()).doesNotContain(master).hasSize(3);
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("ceph/home.yaml", Manifests.toYaml(render(Examples.load(Examples.HOME))));
  }
}
