package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.testing.Examples;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Schedules Kubernetes accepts but that never run a backup are refused at their field. */
class CronNeverFiresTest {
  private final HomeCluster home = Examples.load(Examples.HOME);

  private List<String> errors() {
    return new Validator().validate(home).errors().stream().map(Problem::toString).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0 3 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *", "15 1 30-31 2 *"})
  void rejectsAnRsyncScheduleWithNoDayThatExists(String schedule) {
    home.getSpec().getBackup().getRsync().setSchedule(schedule);

    assertThat(errors())
        .containsExactly(
            "spec.backup.rsync.schedule: never fires: no month in it has that day of the month"
                + " (such as February 30th), got \""
                + schedule
                + "\"");
  }

  @Test
  void rejectsNeverFiringZfsAndEtcdSchedulesEachAtItsField() {
    home.getSpec().getBackup().getZfs().setSnapshotSchedule("0 0 31 11 *");
    home.getSpec().getBackup().getEtcdSnapshots().setSchedule("0 */6 30 2 *");

    assertThat(errors())
        .extracting(e -> e.substring(0, e.indexOf(':')))
        .containsExactly("spec.backup.zfs.snapshotSchedule", "spec.backup.etcdSnapshots.schedule");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0 0 29 2 *", "0 3 30 2 1", "0 0 31 * *", "0 0 30 1-3 *", "@yearly"})
  void acceptsSchedulesThatFireAtLeastInLeapYearsOrOnWeekdays(String schedule) {
    home.getSpec().getBackup().getRsync().setSchedule(schedule);

    assertThat(errors()).isEmpty();
  }

  @Test
  void rejectsAScheduleLongerThanTheSchemaAllows() {
    home.getSpec().getBackup().getRsync().setSchedule("0 3 " + "1,".repeat(50) + "2 * *");

    assertThat(errors()).containsExactly("spec.backup.rsync.schedule: must be at most 100 characters");
  }
}
