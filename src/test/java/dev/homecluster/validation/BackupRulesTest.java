package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.ZfsSpec;
import dev.homecluster.render.InvalidSpecException;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad backup settings are rejected with the field's path, and nothing is rendered. */
class BackupRulesTest {
  private final HomeCluster home = Examples.load(Examples.HOME);

  private List<String> errors() {
    return new Validator().validate(home).errors().stream().map(Problem::toString).toList();
  }

  @Test
  void theExamplesAreValid() {
    for (String example : Examples.all()) {
      assertThat(new Validator().validate(Examples.load(example)).errors()).as(example).isEmpty();
    }
  }

  @Test
  void rejectsAnUnknownBackupNode() {
    home.getSpec().getBackup().setNode("backup-9");

    assertThat(errors()).containsExactly("spec.backup.node: \"backup-9\" is not a node in spec.nodes");
  }

  @Test
  void rejectsABackupNodeWithoutTheBackupRole() {
    home.getSpec().getBackup().setNode("worker-1");

    assertThat(errors()).containsExactly("spec.backup.node: node worker-1 does not have the backup role");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tank", "./tank", "tank/backups"})
  void rejectsARelativeExportPath(String path) {
    home.getSpec().getBackup().setExportPath(path);

    assertThat(errors()).containsExactly("spec.backup.exportPath: must be an absolute path, got \"" + path + "\"");
  }

  @Test
  void rejectsAnExportPathThatClimbsOut() {
    home.getSpec().getBackup().setExportPath("/tank/../etc");

    assertThat(errors()).containsExactly("spec.backup.exportPath: must not contain '..', got \"/tank/../etc\"");
  }

  @Test
  void rejectsTheRootDirectoryAsExport() {
    home.getSpec().getBackup().setExportPath("/");

    assertThat(errors()).containsExactly("spec.backup.exportPath: must not be the root directory");
  }

  @ParameterizedTest
  @ValueSource(strings = {"61 3 * * *", "0 3 * *", "every night", "0 25 * * *", "@nightly"})
  void rejectsAnInvalidRsyncSchedule(String schedule) {
    home.getSpec().getBackup().getRsync().setSchedule(schedule);

    assertThat(errors()).singleElement().asString()
        .startsWith("spec.backup.rsync.schedule: must be a cron schedule of five fields")
        .endsWith("got \"" + schedule + "\"");
  }

  @Test
  void rejectsInvalidZfsAndEtcdSchedulesEachAtItsField() {
    home.getSpec().getBackup().getZfs().setSnapshotSchedule("30 3 * * 8");
    home.getSpec().getBackup().getEtcdSnapshots().setSchedule("*/0 * * * *");

    assertThat(errors()).hasSize(2)
        .anySatisfy(e -> assertThat(e).startsWith("spec.backup.zfs.snapshotSchedule: "))
        .anySatisfy(e -> assertThat(e).startsWith("spec.backup.etcdSnapshots.schedule: "));
  }

  @Test
  void rejectsKeepingFewerThanOneZfsSnapshot() {
    home.getSpec().getBackup().getZfs().setKeepSnapshots(0);

    assertThat(errors()).containsExactly("spec.backup.zfs.keepSnapshots: must be at least 1, got 0");
  }

  @Test
  void rejectsKeepingFewerThanOneEtcdSnapshot() {
    home.getSpec().getBackup().getEtcdSnapshots().setKeep(-3);

    assertThat(errors()).containsExactly("spec.backup.etcdSnapshots.keep: must be at least 1, got -3");
  }

  @Test
  void rejectsAZfsDatasetThatIsAPath() {
    ZfsSpec zfs = home.getSpec().getBackup().getZfs();
    zfs.setDataset("/tank");

    assertThat(errors()).singleElement().asString().startsWith("spec.backup.zfs.dataset: must be a ZFS dataset name");
  }

  @Test
  void rejectsRsyncFlagsThatCouldInjectShell() {
    home.getSpec().getBackup().getRsync().setFlags(List.of("-a", "--rsh=sh -c 'rm -rf /'"));

    assertThat(errors()).singleElement().asString().startsWith("spec.backup.rsync.flags[1]: must be an rsync option");
  }

  @Test
  void nothingIsRenderedForABadBackupSetting() {
    home.getSpec().getBackup().getZfs().setKeepSnapshots(0);

    Assertions.assertThatThrownBy(() -> new Renderer().render(RenderContext.of(home)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.backup.zfs.keepSnapshots");
  }
}
