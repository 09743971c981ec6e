package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.testing.Examples;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValidatorTest {
  private final Validator validator = new Validator();

  private ValidationResult validateHome(Consumer<HomeCluster> change) {
    HomeCluster cluster = Examples.load(Examples.HOME);
    change.accept(cluster);
    return validator.validate(cluster);
  }

  private static List<String> errorPaths(ValidationResult result) {
    return result.errors().stream().map(Problem::path).toList();
  }

  private static NodeSpec node(String name, String address, Role... roles) {
    NodeSpec node = new NodeSpec();
    node.setName(name);
    node.setAddress(address);
    node.setRoles(new ArrayList<>(List.of(roles)));
    return node;
  }

  static List<String> examples() {
    return Examples.all();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleIsValid(String example) {
    assertThat(validator.validate(Examples.load(example)).errors()).isEmpty();
  }

  @Test
  void theDocumentedClusterHasNoWarnings() {
    assertThat(validator.validate(Examples.load(Examples.HOME)).problems()).isEmpty();
  }

  @Test
  void rejectsVipEqualToANodeAddress() {
    ValidationResult result = validateHome(c -> c.getSpec().getControlPlane().getEndpoint().setVip("192.168.1.131"));

    assertThat(result.errors()).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("spec.controlPlane.endpoint.vip");
      assertThat(p.message()).contains("spec.nodes[3].address");
    });
  }

  @Test
  void rejectsDuplicateNamesPointingAtTheFirstUse() {
    ValidationResult result = validateHome(c -> c.getSpec().getNodes().get(5).setName("worker-1"));

    assertThat(result.errors()).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("spec.nodes[5].name");
      assertThat(p.message()).contains("spec.nodes[3]");
    });
  }

  @Test
  void treatsTheSameAddressWrittenDifferentlyAsADuplicate() {
    HomeCluster cluster = Examples.load(Examples.ONE_BOX_LAB);
    cluster.getSpec().getNodes().get(0).setAddress("fd00::10");
    cluster.getSpec().getControlPlane().getEndpoint().setVip("fd00::1");
    cluster.getSpec().getNodes().add(node("lab-2", "fd00:0:0:0::10", Role.WORKER));

    assertThat(errorPaths(validator.validate(cluster))).containsExactly("spec.nodes[1].address");
  }

  @Test
  void acceptsAnIpv6Cluster() {
    HomeCluster cluster = Examples.load(Examples.ONE_BOX_LAB);
    cluster.getSpec().getNodes().get(0).setAddress("fd00::10");
    cluster.getSpec().getControlPlane().getEndpoint().setVip("fd00::1");

    assertThat(validator.validate(cluster).problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"192.168.1", "192.168.001.111", "0x7f.0.0.1", "192.168.1.111/24", " 192.168.1.111", "fe80::1%eth0", "*"})
  void rejectsAddressesThatAreNotPlainIps(String address) {
    ValidationResult result = validateHome(c -> c.getSpec().getNodes().get(0).setAddress(address));

    assertThat(errorPaths(result)).contains("spec.nodes[0].address");
  }

  @Test
  void warnsWhenEtcdWouldHaveAnEvenMemberCount() {
    ValidationResult result = validateHome(c -> c.getSpec().getNodes().get(2).setRoles(new ArrayList<>(List.of(Role.WORKER))));

    assertThat(result.isValid()).isTrue();
    assertThat(result.warnings()).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("spec.nodes");
      assertThat(p.message()).contains("2 masters");
    });
  }

  @Test
  void warnsWhenTheVipIsOutsideTheMastersSubnetAndNoNodeCidrIsGiven() {
    ValidationResult result = validateHome(c -> {
      c.getSpec().getNetwork().setNodeCIDR(null);
      c.getSpec().getControlPlane().getEndpoint().setVip("192.168.2.100");
    });

    assertThat(result.isValid()).isTrue();
    assertThat(result.warnings()).extracting(Problem::path).containsExactly("spec.controlPlane.endpoint.vip");
  }

  @Test
  void rejectsTheVipOutsideTheDeclaredNodeCidr() {
    ValidationResult result = validateHome(c -> c.getSpec().getControlPlane().getEndpoint().setVip("192.168.2.100"));

    assertThat(errorPaths(result)).containsExactly("spec.controlPlane.endpoint.vip");
  }

  @Test
  void rejectsNodesOutsideTheDeclaredNodeCidr() {
    ValidationResult result = validateHome(c -> c.getSpec().getNodes().get(6).setAddress("192.168.7.140"));

    assertThat(errorPaths(result)).containsExactly("spec.nodes[6].address");
  }

  @Test
  void acceptsStorageDevicesByShortNameAndStablePath() {
    ValidationResult result = validateHome(c -> c.getSpec().getNodes().get(3).setStorageDevices(
        List.of("sdb", "nvme0n1", "/dev/disk/by-id/ata-Samsung_SSD_860_EVO_1TB_S3Z9NB0K123456X")));

    assertThat(result.problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../sdb", "dev/sdb", "/dev/../etc/shadow", "/etc/passwd", "sd b", ""})
  void rejectsUnsafeStorageDevicePaths(String device) {
    ValidationResult result = validateHome(c -> c.getSpec().getNodes().get(3).setStorageDevices(List.of(device)));

    assertThat(errorPaths(result)).containsExactly("spec.nodes[3].storageDevices[0]");
  }

  @Test
  void rejectsStorageDevicesOnANodeWithoutTheWorkerRole() {
    ValidationResult result = validateHome(c -> c.getSpec().getNodes().get(6).setStorageDevices(List.of("sdb")));

    assertThat(errorPaths(result)).containsExactly("spec.nodes[6].storageDevices");
  }

  @Test
  void rejectsABackupNodeWithoutTheBackupRole() {
    ValidationResult result = validateHome(c -> c.getSpec().getBackup().setNode("master-1"));

    assertThat(result.errors()).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("spec.backup.node");
      assertThat(p.message()).isEqualTo("node master-1 does not have the backup role");
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"@daily", "@hourly", "*/15 * * * *", "0 3 * * 1-5", "30 3 1,15 * SUN"})
  void acceptsCronSchedulesKubernetesAccepts(String schedule) {
    ValidationResult result = validateHome(c -> c.getSpec().getBackup().getRsync().setSchedule(schedule));

    assertThat(result.errors()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0 3 * *", "61 * * * *", "0 24 * * *", "every night", "@fortnightly", "0 3 * * * *"})
  void rejectsInvalidCronSchedules(String schedule) {
    ValidationResult result = validateHome(c -> c.getSpec().getBackup().getZfs().setSnapshotSchedule(schedule));

    assertThat(errorPaths(result)).containsExactly("spec.backup.zfs.snapshotSchedule");
  }

  @Test
  void rejectsRsyncFlagsThatCouldInjectShell() {
    ValidationResult result = validateHome(c -> c.getSpec().getBackup().getRsync().setFlags(List.of("-a", "; rm -rf /")));

    assertThat(errorPaths(result)).containsExactly("spec.backup.rsync.flags[1]");
  }

  @Test
  void rejectsCidrsWithHostBitsSuggestingTheNetwork() {
    ValidationResult result = validateHome(c -> c.getSpec().getNetwork().setPodCIDR("10.244.1.0/16"));

    assertThat(result.errors()).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("spec.network.podCIDR");
      assertThat(p.message()).contains("10.244.0.0/16");
    });
  }

  @Test
  void rejectsAServiceCidrTooSmallForCoreDns() {
    ValidationResult result = validateHome(c -> c.getSpec().getNetwork().setServiceCIDR("10.96.0.0/29"));

    assertThat(errorPaths(result)).containsExactly("spec.network.serviceCIDR");
  }

  @Test
  void rejectsRenewalWindowLongerThanValidity() {
    ValidationResult result = validateHome(c -> {
      c.getSpec().getControlPlane().getCertificates().setValidityDays(30);
      c.getSpec().getControlPlane().getCertificates().setRenewBeforeDays(30);
    });

    assertThat(errorPaths(result)).containsExactly("spec.controlPlane.certificates.renewBeforeDays");
  }

  @Test
  void warnsWhenCephHasNoDisks() {
    ValidationResult result = validateHome(c -> c.getSpec().getNodes().forEach(n -> n.setStorageDevices(null)));

    assertThat(result.isValid()).isTrue();
    assertThat(result.warnings()).extracting(Problem::path).contains("spec.storage.ceph");
  }

  @Test
  void reportsEveryProblemAtOnceErrorsFirst() {
    ValidationResult result = validateHome(c -> {
      c.getSpec().getNodes().get(0).setAddress("nope");
      c.getSpec().getNodes().get(2).setRoles(new ArrayList<>(List.of(Role.WORKER)));
      c.getSpec().getBackup().setExportPath("tank");
    });

    assertThat(result.problems()).extracting(Problem::path)
        .containsExactly("spec.nodes[0].address", "spec.backup.exportPath", "spec.nodes");
    assertThat(result.problems().get(2).isError()).isFalse();
  }

  @Test
  void aMissingSpecIsOneError() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.setSpec(null);

    assertThat(validator.validate(cluster).errors()).extracting(Problem::path).containsExactly("spec");
  }

  @Test
  void rejectsMoreNodesThanTheCrdAllows() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    for (int i = 0; i < 130; i++) {
      cluster.getSpec().getNodes().add(node("extra-" + i, "192.168.1." + (i < 100 ? 150 + i % 100 : 1), Role.WORKER));
    }

    assertThat(validator.validate(cluster).errors()).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("spec.nodes");
      assertThat(p.message()).contains("at most 128");
    });
  }
}
