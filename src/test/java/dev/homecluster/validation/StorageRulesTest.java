package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeCapacity;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class StorageRulesTest {
  private final Validator validator = new Validator();

  private List<String> warnings(HomeCluster cluster) {
    return validator.validate(cluster).warnings().stream().map(Problem::toString).toList();
  }

  private List<String> errors(HomeCluster cluster) {
    return validator.validate(cluster).errors().stream().map(Problem::toString).toList();
  }

  private static CephSpec ceph(HomeCluster cluster) {
    return cluster.getSpec().getStorage().getCeph();
  }

  @Test
  void theDocumentedClusterHasNoStorageWarnings() {
    assertThat(warnings(Examples.load(Examples.HOME))).noneMatch(w -> w.contains("spec.storage"));
  }

  @Test
  void acceptsShortDeviceNamesAndStablePaths() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec()
        .getNodes()
        .get(3)
        .setStorageDevices(
            List.of("sdb", "nvme0n1", "/dev/disk/by-id/ata-ST4000DM004-2CV104_ZFN0ABCD"));

    assertThat(errors(home)).isEmpty();
  }

  @Test
  void rejectsRelativeAndParentDevicePaths() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec()
        .getNodes()
        .get(3)
        .setStorageDevices(List.of("disk/by-id/ata-X", "/dev/../etc/passwd", "../sdb"));

    assertThat(errors(home))
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("spec.nodes[3].storageDevices[0]: ")
                    .contains("relative paths are not allowed"))
        .anySatisfy(
            e -> assertThat(e).startsWith("spec.nodes[3].storageDevices[1]: ").contains("'..'"))
        .anySatisfy(
            e -> assertThat(e).startsWith("spec.nodes[3].storageDevices[2]: ").contains("'..'"));
  }

  @Test
  void warnsWhenTheOsdMemoryLimitIsUnderTwoGigabytes() {
    HomeCluster home = Examples.load(Examples.HOME);
    ceph(home).getOsdResources().getLimits().put("memory", new Quantity("1Gi"));
    home.getSpec()
        .getNodes()
        .get(5)
        .setOsdResources(
            new ResourceRequirementsBuilder()
                .addToLimits("memory", new Quantity("1536Mi"))
                .build());

    assertThat(warnings(home))
        .contains(
            "warning: spec.storage.ceph.osdResources.limits.memory: an OSD memory limit of 1Gi is"
                + " below 2Gi; OSDs with less were unstable (Rook recommends at least 2Gi)")
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith(
                        "warning: spec.nodes[5].osdResources.limits.memory: an OSD memory limit of"
                            + " 1536Mi"));
  }

  @Test
  void warnsAboutAnEvenNumberOfMonitors() {
    HomeCluster home = Examples.load(Examples.HOME);
    ceph(home).setMonCount(2);

    assertThat(warnings(home))
        .anySatisfy(
            w -> assertThat(w).startsWith("warning: spec.storage.ceph.monCount: 2 monitors"));
  }

  @Test
  void warnsWhenMonitorsOutnumberTheNodesThatCanHoldThemUnlessTheyMayShare() {
    HomeCluster home = Examples.load(Examples.HOME);
    ceph(home).setMonCount(5);
    ceph(home).setAllowMultipleMonsPerNode(false);

    assertThat(warnings(home))
        .contains(
            "warning: spec.storage.ceph.monCount: 5 monitors need 5 nodes, but only 3 (the workers)"
                + " can hold them; 2 would never be scheduled. Lower monCount or set"
                + " allowMultipleMonsPerNode");

    ceph(home).setAllowMultipleMonsPerNode(true);
    assertThat(warnings(home)).noneMatch(w -> w.contains("would never be scheduled"));
  }

  @Test
  void warnsWhenReplicasExceedTheOsdNodesAndAboutTheOsdFailureDomain() {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().getNodes().get(5).setStorageDevices(null);

    assertThat(warnings(home))
        .contains(
            "warning: spec.storage.ceph.filesystem.replicas: 3 replicas but only 2 nodes have OSDs,"
                + " so copies share machines; the pools get size 2 (capped to what the OSDs can"
                + " hold)")
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith(
                        "warning: spec.storage.ceph.filesystem: with 2 OSD nodes the failure domain"
                            + " is osd, not host"));
  }

  @Test
  void aSingleReplicaAskedForOnPurposeIsNotWarnedAbout() {
    HomeCluster lab = Examples.load(Examples.ONE_BOX_LAB);
    assertThat(warnings(lab)).noneMatch(w -> w.contains("spec.storage"));

    lab.getSpec().getStorage().getCeph().getFilesystem().setReplicas(2);
    assertThat(warnings(lab))
        .contains(
            "warning: spec.storage.ceph.filesystem.replicas: 2 replicas but only 1 node has OSDs,"
                + " so copies share machines; the pools get size 1 (capped to what the OSDs can"
                + " hold)")
        .contains(
            "warning: spec.storage.ceph.filesystem: with 1 OSD node the failure domain is osd, not"
                + " host: the pools keep a single copy, so losing one disk loses data. 3 workers"
                + " with storageDevices make it host");
  }

  @Test
  void rejectsQuantitiesKubernetesWouldRejectAndRequestsAboveLimits() {
    HomeCluster home = Examples.load(Examples.HOME);
    ceph(home).getOsdResources().getRequests().put("memory", new Quantity("3Gi"));
    ceph(home)
        .setMonResources(
            new ResourceRequirementsBuilder()
                .addToRequests("memory", new Quantity("lots"))
                .build());
    home.getSpec()
        .getNodes()
        .get(3)
        .setCapacity(new NodeCapacity(new Quantity("four"), new Quantity("16Gi")));

    assertThat(errors(home))
        .contains(
            "spec.storage.ceph.osdResources.requests.memory: request 3Gi is above the limit 2Gi")
        .contains(
            "spec.storage.ceph.monResources.requests.memory: must be a Kubernetes quantity such as"
                + " 500m, 2 or 4Gi, got \"lots\"")
        .contains(
            "spec.nodes[3].capacity.cpu: must be a Kubernetes quantity such as 500m, 2 or 4Gi, got"
                + " \"four\"");
  }
}
