package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.testing.Examples;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * etcd's data directory, Ceph's dataDirHostPath and the NFS export: normalized, never a system
 * directory, never overlapping; and the rsync target never the directories the operator keeps in
 * the export.
 */
class HostPathRulesTest {
  private final HomeCluster home = Examples.load(Examples.HOME);

  private List<String> errors() {
    return new Validator().validate(home).errors().stream().map(Problem::toString).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"//", "/.", "/./", "///.//"})
  void rejectsSpellingsOfTheRootDirectoryAsExport(String path) {
    home.getSpec().getBackup().setExportPath(path);

    assertThat(errors()).containsExactly("spec.backup.exportPath: must not be the root directory");
  }

  @ParameterizedTest
  @CsvSource({
    "/etc, /etc",
    "/etc/, /etc",
    "//etc/., /etc",
    "/dev, /dev",
    "/proc, /proc",
    "/sys, /sys",
    "/usr, /usr",
    "/boot, /boot",
    "/var/lib, /var/lib",
    "/var/lib/, /var/lib",
    "/var//./lib, /var/lib",
    "/var/lib/kubelet, /var/lib/kubelet"
  })
  void rejectsSystemDirectoriesAsExport(String path, String normalized) {
    home.getSpec().getBackup().setExportPath(path);

    assertThat(errors())
        .containsExactly("spec.backup.exportPath: must not be the system directory " + normalized);
  }

  @ParameterizedTest
  @CsvSource({
    "/etc/kubernetes, /etc",
    "/var/lib/kubelet/pods, /var/lib/kubelet",
    "/dev/shm/backups, /dev",
    "/usr/local/backups, /usr",
    "/run/backups, /run"
  })
  void rejectsDirectoriesInsideSystemTrees(String path, String tree) {
    home.getSpec().getControlPlane().getEtcd().setDataDir(path);

    assertThat(errors())
        .containsExactly(
            "spec.controlPlane.etcd.dataDir: must not be inside the system directory "
                + tree
                + ", got "
                + path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/etc", "/var/lib", "/var/lib/kubelet"})
  void rejectsSystemDirectoriesForEtcdAndCephAtTheirOwnField(String path) {
    home.getSpec().getControlPlane().getEtcd().setDataDir(path);
    home.getSpec().getStorage().getCeph().setDataDirHostPath(path);

    assertThat(errors())
        .extracting(e -> e.substring(0, e.indexOf(':')))
        .containsExactly("spec.controlPlane.etcd.dataDir", "spec.storage.ceph.dataDirHostPath");
  }

  @Test
  void acceptsDataDirectoriesBelowVarLibAndElsewhere() {
    home.getSpec().getControlPlane().getEtcd().setDataDir("/var/lib/etcd/");
    home.getSpec().getStorage().getCeph().setDataDirHostPath("/var/lib/rook");
    home.getSpec().getBackup().setExportPath("/srv/backup");

    assertThat(errors()).isEmpty();
  }

  @Test
  void rejectsCephInEtcdsDirectoryWrittenDifferently() {
    home.getSpec().getControlPlane().getEtcd().setDataDir("/var/lib/etcd");
    home.getSpec().getStorage().getCeph().setDataDirHostPath("/var/lib//etcd/.");

    assertThat(errors())
        .containsExactly(
            "spec.storage.ceph.dataDirHostPath: must differ from spec.controlPlane.etcd.dataDir"
                + " (/var/lib/etcd): each needs a directory of its own");
  }

  @Test
  void rejectsAnExportInsideCephsDirectory() {
    home.getSpec().getBackup().setExportPath("/var/lib/rook-ceph/backups");

    assertThat(errors())
        .containsExactly(
            "spec.backup.exportPath: must not be inside spec.storage.ceph.dataDirHostPath"
                + " (/var/lib/rook-ceph): each needs a directory of its own");
  }

  @Test
  void rejectsAnExportThatContainsEtcdsDirectory() {
    home.getSpec().getControlPlane().getEtcd().setDataDir("/tank/etcd");

    assertThat(errors())
        .containsExactly(
            "spec.backup.exportPath: must not contain spec.controlPlane.etcd.dataDir"
                + " (/tank/etcd): each needs a directory of its own");
  }

  @Test
  void ignoresCephsDirectoryWhenCephIsOff() {
    home.getSpec().getStorage().getCeph().setEnabled(false);
    home.getSpec().getStorage().getCeph().setDataDirHostPath("/var/lib/etcd");

    assertThat(errors()).isEmpty();
  }

  @Test
  void refusesASystemDirectoryForCephEvenWhenCephIsOffAsTheSchemaDoes() {
    home.getSpec().getStorage().getCeph().setEnabled(false);
    home.getSpec().getStorage().getCeph().setDataDirHostPath("/etc");

    assertThat(errors())
        .containsExactly("spec.storage.ceph.dataDirHostPath: must not be the system directory /etc");
  }

  @Test
  void keepsRefusingDotDotBeforeNormalizing() {
    home.getSpec().getControlPlane().getEtcd().setDataDir("/var/lib/etcd/../../..");

    assertThat(errors())
        .containsExactly("spec.controlPlane.etcd.dataDir: must be an absolute path without '..'");
  }

  @Test
  void rejectsPathsLongerThanTheSchemaAllows() {
    home.getSpec().getBackup().setExportPath("/" + "a".repeat(255));

    assertThat(errors()).containsExactly("spec.backup.exportPath: must be at most 255 characters");
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "./.", "././."})
  void rejectsTheExportItselfAsRsyncTarget(String target) {
    home.getSpec().getBackup().getRsync().setTarget(target);

    assertThat(errors()).singleElement().asString()
        .startsWith("spec.backup.rsync.target: ")
        .contains("not the export itself", "delete the etcd snapshots");
  }

  @ParameterizedTest
  @CsvSource({
    "etcd, etcd, the etcd snapshots",
    "./etcd, etcd, the etcd snapshots",
    "etcd/old, etcd, the etcd snapshots",
    ".homecluster, .homecluster, the backup jobs' results",
    "./.homecluster/x, .homecluster, the backup jobs' results"
  })
  void rejectsTheOperatorsDirectoriesAsRsyncTarget(String target, String dir, String holds) {
    home.getSpec().getBackup().getRsync().setTarget(target);

    assertThat(errors())
        .containsExactly(
            "spec.backup.rsync.target: must not be or be inside the export's "
                + dir
                + " directory, which holds "
                + holds
                + ", got \""
                + target
                + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cephfs", "etcd-copy", "copies/etcd", "./cephfs", ".homecluster2"})
  void acceptsOtherRsyncTargets(String target) {
    home.getSpec().getBackup().getRsync().setTarget(target);

    assertThat(errors()).isEmpty();
  }
}
