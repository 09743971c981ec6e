package dev.homecluster.render.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.BackupStatus;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.validation.CronSchedules;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Backup status from constructed Jobs and pods, as the informers would see them. The documented
 * cluster: rsync daily at 03:00, ZFS snapshot daily at 03:30, etcd snapshot every 6 hours.
 */
class BackupHealthTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final Instant CREATED = Instant.parse("2026-10-01T00:00:00Z");

  private final HomeCluster home = Examples.load(Examples.HOME);
  private final List<CronJob> cronJobs = new ArrayList<>(List.of(
      cronJob(Names.BACKUP_RSYNC, Names.BACKUP_NAMESPACE, CREATED, null),
      cronJob(Names.ZFS_SNAPSHOT, Names.BACKUP_NAMESPACE, CREATED, null),
      cronJob(Names.ETCD_SNAPSHOT, Names.CONTROL_PLANE_NAMESPACE, CREATED, null)));
  private final List<Job> jobs = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();
  private int counter;

  private void run(String component, String namespace, Instant end, boolean success, String jobReason, String message) {
    String name = component + "-" + (++counter);
    JobBuilder job = new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace)
        .withLabels(Labels.common("home", component)).endMetadata()
        .withNewStatus()
        .withStartTime(end.minusSeconds(600).toString())
        .addNewCondition()
        .withType(success ? "Complete" : "Failed").withStatus("True")
        .withReason(jobReason).withMessage(jobReason == null ? null : "Job was active longer than specified deadline")
        .withLastTransitionTime(end.toString())
        .endCondition()
        .endStatus();
    if (success) {
      job.editStatus().withCompletionTime(end.toString()).withSucceeded(1).endStatus();
    }
    jobs.add(job.build());
    pods.add(new PodBuilder()
        .withNewMetadata().withName(name + "-abcde").withNamespace(namespace)
        .withLabels(Map.of("batch.kubernetes.io/job-name", name)).endMetadata()
        .withNewStatus()
        .addNewContainerStatus().withName("main").withNewState().withNewTerminated()
        .withExitCode(success ? 0 : 1).withFinishedAt(end.toString()).withMessage(message)
        .endTerminated().endState().endContainerStatus()
        .endStatus()
        .build());
  }

  private void succeeded(String component, String namespace, Instant end, long bytes) {
    run(component, namespace, end, true, null,
        "{\"kind\":\"x\",\"start\":\"" + end.minusSeconds(600) + "\",\"end\":\"" + end
            + "\",\"bytes\":" + bytes + ",\"exitCode\":0,\"message\":\"\"}");
  }

  private void allRecent() {
    succeeded(Names.BACKUP_RSYNC, Names.BACKUP_NAMESPACE, Instant.parse("2026-11-30T03:41:07Z"), 123_456_789);
    succeeded(Names.ZFS_SNAPSHOT, Names.BACKUP_NAMESPACE, Instant.parse("2026-11-30T03:30:04Z"), 0);
    succeeded(Names.ETCD_SNAPSHOT, Names.CONTROL_PLANE_NAMESPACE, Instant.parse("2026-11-30T12:00:00Z").minusSeconds(6 * 3600 - 30), 4_194_336);
  }

  private BackupHealth.Report evaluate(Instant now) {
    return BackupHealth.evaluate(home, cronJobs, jobs, pods, List.of(), now);
  }

  private static BackupStatus kind(BackupHealth.Report report, String kind) {
    return report.backups().stream().filter(b -> b.getKind().equals(kind)).findFirst().orElseThrow();
  }

  private static CronJob cronJob(String name, String namespace, Instant created, Instant lastSuccess) {
    return new CronJobBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withCreationTimestamp(created.toString()).endMetadata()
        .withNewStatus().withLastSuccessfulTime(lastSuccess == null ? null : lastSuccess.toString()).endStatus()
        .build();
  }

  @Test
  void healthyWhenEveryKindSucceededRecentlyWithTheBytesItReported() {
    allRecent();

    BackupHealth.Report report = evaluate(NOW);

    assertThat(report.condition().getType()).isEqualTo("BackupsHealthy");
    assertThat(report.condition().getStatus()).isEqualTo("True");
    assertThat(report.backups()).extracting(BackupStatus::getKind)
        .containsExactly("rsync", "zfs-snapshot", "etcd-snapshot");
    BackupStatus rsync = kind(report, "rsync");
    assertThat(rsync.getLastSuccess()).isEqualTo("2026-11-30T03:41:07Z");
    assertThat(rsync.getLastBytes()).isEqualTo(123_456_789L);
    assertThat(rsync.getLastFailure()).isNull();
    assertThat(kind(report, "etcd-snapshot").getLastBytes()).isEqualTo(4_194_336L);
  }

  @Test
  void turnsFalseWhenTheLastSuccessIsOlderThanTwiceTheIntervalAndSaysWhyRunsFail() {
    allRecent();
    jobs.removeIf(j -> j.getMetadata().getName().startsWith(Names.BACKUP_RSYNC));
    succeeded(Names.BACKUP_RSYNC, Names.BACKUP_NAMESPACE, Instant.parse("2026-11-28T03:40:00Z"), 10);
    run(Names.BACKUP_RSYNC, Names.BACKUP_NAMESPACE, Instant.parse("2026-11-29T03:05:00Z"), false, "BackoffLimitExceeded",
        "{\"kind\":\"rsync\",\"bytes\":0,\"exitCode\":23,\"message\":\"rsync: [sender] change_dir \\\"/source\\\" failed: Permission denied (13)\"}");
    run(Names.BACKUP_RSYNC, Names.BACKUP_NAMESPACE, Instant.parse("2026-11-30T03:05:00Z"), false, "BackoffLimitExceeded",
        "{\"kind\":\"rsync\",\"bytes\":0,\"exitCode\":12,\"message\":\"rsync error: error in rsync protocol data stream (code 12)\"}");

    BackupHealth.Report report = evaluate(NOW);

    assertThat(report.condition().getStatus()).isEqualTo("False");
    assertThat(report.condition().getReason()).isEqualTo(BackupHealth.STALE);
    assertThat(report.condition().getMessage())
        .startsWith("rsync: last success 2026-11-28T03:40:00Z is older than twice the schedule's interval (48h)")
        .contains("error in rsync protocol data stream")
        .doesNotContain("zfs-snapshot", "etcd-snapshot");
    BackupStatus rsync = kind(report, "rsync");
    assertThat(rsync.getLastFailure()).isEqualTo("2026-11-30T03:05:00Z");
    assertThat(rsync.getLastFailureReason()).isEqualTo("rsync error: error in rsync protocol data stream (code 12)");
  }

  @Test
  void aFailureAfterARecentSuccessStaysHealthyButIsReported() {
    allRecent();
    run(Names.ZFS_SNAPSHOT, Names.BACKUP_NAMESPACE, Instant.parse("2026-11-30T03:31:00Z").minus(Duration.ofDays(1)),
        false, "BackoffLimitExceeded", "{\"kind\":\"zfs-snapshot\",\"exitCode\":1,\"message\":\"zfs list failed: pool I/O is suspended\"}");

    BackupHealth.Report report = evaluate(NOW);

    assertThat(report.condition().getStatus()).isEqualTo("True");
    assertThat(kind(report, "zfs-snapshot").getLastFailureReason()).isEqualTo("zfs list failed: pool I/O is suspended");
  }

  @Test
  void aRunKilledAtItsDeadlineReportsTheJobsReason() {
    allRecent();
    // Killed before the script could write its result: no termination message.
    run(Names.BACKUP_RSYNC, Names.BACKUP_NAMESPACE, Instant.parse("2026-11-30T09:00:00Z"), false, "DeadlineExceeded", null);

    BackupStatus rsync = kind(evaluate(NOW), "rsync");

    assertThat(rsync.getLastFailure()).isEqualTo("2026-11-30T09:00:00Z");
    assertThat(rsync.getLastFailureReason())
        .isEqualTo("DeadlineExceeded: Job was active longer than specified deadline");
  }

  @Test
  void neverSucceededIsPendingForTwoIntervalsAfterCreationThenFalse() {
    Instant created = Instant.parse("2026-11-29T10:00:00Z");
    Instant earlyTime = created.plus(Duration.ofHours(47));
    Instant lateTime = created.plus(Duration.ofHours(49));

    BackupHealth.Report early = evaluateWithOnlyZfsNew(created, earlyTime);
    BackupHealth.Report late = evaluateWithOnlyZfsNew(created, lateTime);

    assertThat(early.condition().getStatus()).isEqualTo("Unknown");
    assertThat(early.condition().getReason()).isEqualTo(BackupHealth.PENDING);
    assertThat(early.condition().getMessage()).startsWith("zfs-snapshot: no successful run yet");
    assertThat(late.condition().getStatus()).isEqualTo("False");
    assertThat(late.condition().getReason()).isEqualTo(BackupHealth.NEVER_SUCCEEDED);
    assertThat(kind(late, "zfs-snapshot").getLastSuccess()).isNull();
  }

  /** rsync and etcd snapshots succeeded an hour before {@code now}; zfs never ran. */
  private BackupHealth.Report evaluateWithOnlyZfsNew(Instant created, Instant now) {
    List<CronJob> observed = List.of(
        cronJob(Names.BACKUP_RSYNC, Names.BACKUP_NAMESPACE, CREATED, now.minusSeconds(3600)),
        cronJob(Names.ZFS_SNAPSHOT, Names.BACKUP_NAMESPACE, created, null),
        cronJob(Names.ETCD_SNAPSHOT, Names.CONTROL_PLANE_NAMESPACE, CREATED, now.minusSeconds(3600)));
    return BackupHealth.evaluate(home, observed, List.of(), List.of(), List.of(), now);
  }

  @Test
  void theCronJobsLastSuccessfulTimeCountsOnceTheJobIsGoneFromHistory() {
    allRecent();
    jobs.removeIf(j -> j.getMetadata().getName().startsWith(Names.ETCD_SNAPSHOT));
    cronJobs.set(2, cronJob(Names.ETCD_SNAPSHOT, Names.CONTROL_PLANE_NAMESPACE, CREATED, Instant.parse("2026-11-30T06:00:31Z")));

    BackupHealth.Report report = evaluate(NOW);

    assertThat(report.condition().getStatus()).isEqualTo("True");
    assertThat(kind(report, "etcd-snapshot").getLastSuccess()).isEqualTo("2026-11-30T06:00:31Z");
    assertThat(kind(report, "etcd-snapshot").getLastBytes()).isNull();
  }

  @Test
  void thePreviousStatusKeepsAFailureTheJobHistoryForgot() {
    allRecent();
    BackupStatus before = new BackupStatus();
    before.setKind("rsync");
    before.setLastFailure("2026-11-20T03:05:00Z");
    before.setLastFailureReason("rsync error: some files/attrs were not transferred (code 23)");
    before.setLastSuccess("2026-11-19T03:40:00Z");
    before.setLastBytes(5L);

    BackupStatus rsync = kind(BackupHealth.evaluate(home, cronJobs, jobs, pods, List.of(before), NOW), "rsync");

    assertThat(rsync.getLastFailure()).isEqualTo("2026-11-20T03:05:00Z");
    assertThat(rsync.getLastFailureReason()).contains("code 23");
    assertThat(rsync.getLastSuccess()).isEqualTo("2026-11-30T03:41:07Z");
    assertThat(rsync.getLastBytes()).isEqualTo(123_456_789L);
  }

  @Test
  void onlyEnabledKindsAreReported() {
    HomeCluster lab = Examples.load(Examples.ONE_BOX_LAB);

    BackupHealth.Report report = BackupHealth.evaluate(lab, List.of(), List.of(), List.of(), List.of(), NOW);

    assertThat(report.backups()).extracting(BackupStatus::getKind).containsExactly("rsync", "etcd-snapshot");
    assertThat(report.condition().getStatus()).isEqualTo("Unknown");
    assertThat(report.condition().getMessage()).contains("rsync: its CronJob does not exist yet");
  }

  @Test
  void withoutBackupsTheConditionIsUnknown() {
    home.getSpec().setBackup(null);

    BackupHealth.Report report = evaluate(NOW);

    assertThat(report.backups()).isEmpty();
    assertThat(report.condition().getStatus()).isEqualTo("Unknown");
    assertThat(report.condition().getReason()).isEqualTo(BackupHealth.NOT_CONFIGURED);
  }

  @Test
  void intervalIsTheGapBetweenTheScheduleLastTwoFirings() {
    assertThat(BackupHealth.interval(CronSchedules.parse("0 */6 * * *").orElseThrow(), NOW)).isEqualTo(Duration.ofHours(6));
    assertThat(BackupHealth.interval(CronSchedules.parse("@daily").orElseThrow(), NOW)).isEqualTo(Duration.ofDays(1));
    // Monday 2026-11-30 noon: weekdays at 03:00 last fired Monday and, before that, Friday.
    assertThat(BackupHealth.interval(CronSchedules.parse("0 3 * * 1-5").orElseThrow(), NOW)).isEqualTo(Duration.ofDays(3));
  }
}
