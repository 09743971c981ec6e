package dev.homecluster.render.backup;

import com.cronutils.model.Cron;
import com.cronutils.model.time.ExecutionTime;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homecluster.api.v1alpha1.BackupStatus;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Component;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.validation.CronSchedules;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Status of the backups from what the informers see: per kind the last success (with the bytes
 * it reported) and the last failure with its reason, and the {@value #CONDITION_TYPE} condition.
 * Pure: the caller passes the objects and the time.
 *
 * <p>Where the facts come from: each backup Job's pod writes a JSON result as its termination
 * message, which Kubernetes copies into the pod's status. That is the one channel that needs
 * neither log access nor a mount of the export, and it survives as long as the Job is kept in the
 * CronJob's history. Job conditions (Complete, Failed with DeadlineExceeded...) say whether a run
 * worked; the message adds bytes and the failure's reason. The CronJob's {@code
 * lastSuccessfulTime} and the previous status fill in what the bounded Job history forgot.
 *
 * <p>The condition, per enabled kind, with {@code interval} the time between the schedule's two
 * most recent firings:
 *
 * <ul>
 *   <li>False ({@value #STALE}) when the last success is older than twice the interval;
 *   <li>while a kind never succeeded: Unknown ({@value #PENDING}) until twice the interval has
 *       passed since its CronJob was created, then False ({@value #NEVER_SUCCEEDED}). Twice,
 *       because the first run may come almost one interval after creation and then take time;
 *   <li>a failed run whose kind still has a recent success leaves it True: the failure shows in
 *       {@code lastFailure}, and the next run may fix it.
 * </ul>
 *
 * Without {@code spec.backup} the condition is Unknown ({@value #NOT_CONFIGURED}); readiness of
 * the cluster should not depend on it.
 */
public final class BackupHealth {
  public static final String CONDITION_TYPE = "BackupsHealthy";
  public static final String HEALTHY = "RecentBackups";
  public static final String STALE = "BackupStale";
  public static final String NEVER_SUCCEEDED = "NeverSucceeded";
  public static final String PENDING = "FirstRunPending";
  public static final String NOT_CONFIGURED = "NotConfigured";

  /** Backup kinds as status names them, with the component that runs them. */
  private static final Map<String, String> KINDS =
      Map.of(
          Names.BACKUP_RSYNC, "rsync",
          Names.ZFS_SNAPSHOT, "zfs-snapshot",
          Names.ETCD_SNAPSHOT, "etcd-snapshot");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REASON = 300;

  /**
   * The outcome.
   *
   * @param backups one entry per enabled backup kind, in the order rsync, zfs-snapshot,
   *     etcd-snapshot
   * @param condition the {@value #CONDITION_TYPE} condition; its lastTransitionTime is {@code now},
   *     to be replaced by the previous one when the status did not change
   */
  public record Report(List<BackupStatus> backups, Condition condition) {}

  private BackupHealth() {}

  /**
   * @param cluster the HomeCluster (its spec says which kinds are enabled and their schedules)
   * @param cronJobs the backup CronJobs as observed (any others are ignored)
   * @param jobs their Jobs as observed
   * @param pods the Jobs' pods as observed
   * @param previous the backups of the current status, or empty
   * @param now the time to judge against
   */
  public static Report evaluate(
      HomeCluster cluster,
      List<CronJob> cronJobs,
      List<Job> jobs,
      List<Pod> pods,
      List<BackupStatus> previous,
      Instant now) {
    Long generation = cluster.getMetadata() == null ? null : cluster.getMetadata().getGeneration();
    if (cluster.getSpec() == null || cluster.getSpec().getBackup() == null) {
      return new Report(
          List.of(),
          condition(
              "Unknown", NOT_CONFIGURED, "spec.backup is not set: nothing is backed up", generation, now));
    }
    RenderContext ctx = RenderContext.of(cluster);
    List<BackupStatus> backups = new ArrayList<>();
    List<String> failing = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    String falseReason = null;
    for (Schedule kind : enabledKinds(ctx)) {
      BackupStatus status = statusOf(kind, jobs, pods, cronJob(kind, cronJobs), previous);
      backups.add(status);
      Duration interval = interval(kind.schedule(), now);
      Duration allowed = interval.multipliedBy(2);
      if (status.getLastSuccess() != null) {
        Instant success = Instant.parse(status.getLastSuccess());
        if (Duration.between(success, now).compareTo(allowed) > 0) {
          failing.add(kind.kind() + ": last success " + status.getLastSuccess()
              + " is older than twice the schedule's interval (" + human(allowed) + ")"
              + failureSuffix(status));
          falseReason = falseReason == null ? STALE : falseReason;
        }
        continue;
      }
      Optional<Instant> created = cronJob(kind, cronJobs).map(BackupHealth::created);
      if (created.isPresent() && Duration.between(created.get(), now).compareTo(allowed) > 0) {
        failing.add(kind.kind() + ": no successful run since " + created.get()
            + ", twice the schedule's interval (" + human(allowed) + ") ago" + failureSuffix(status));
        falseReason = falseReason == null ? NEVER_SUCCEEDED : falseReason;
      } else {
        pending.add(kind.kind() + (created.isPresent()
            ? ": no successful run yet (first due within " + human(allowed) + " of " + created.get() + ")"
            : ": its CronJob does not exist yet"));
      }
    }
    Condition condition;
    if (!failing.isEmpty()) {
      condition = condition("False", falseReason, String.join("; ", failing), generation, now);
    } else if (!pending.isEmpty()) {
      condition = condition("Unknown", PENDING, String.join("; ", pending), generation, now);
    } else {
      condition = condition("True", HEALTHY,
          "every backup succeeded within twice its schedule's interval", generation, now);
    }
    return new Report(backups, condition);
  }

  /** The kind of backup status that a component's Jobs report, as in {@link BackupStatus#getKind()}. */
  public static String kindOf(String component) {
    return KINDS.get(component);
  }

  private record Schedule(String component, String kind, String namespace, Cron schedule) {}

  private static List<Schedule> enabledKinds(RenderContext ctx) {
    List<Schedule> kinds = new ArrayList<>();
    var backup = ctx.spec().getBackup();
    add(kinds, new RsyncCronJob(), ctx, Names.BACKUP_NAMESPACE,
        backup.getRsync() == null ? null : backup.getRsync().getSchedule());
    add(kinds, new ZfsSnapshotCronJob(), ctx, Names.BACKUP_NAMESPACE,
        backup.getZfs() == null ? null : backup.getZfs().getSnapshotSchedule());
    add(kinds, new EtcdSnapshotCronJob(), ctx, Names.CONTROL_PLANE_NAMESPACE,
        backup.getEtcdSnapshots() == null ? null : backup.getEtcdSnapshots().getSchedule());
    return kinds;
  }

  private static void add(List<Schedule> kinds, Component component, RenderContext ctx, String namespace, String cron) {
    if (!component.enabled(ctx)) {
      return;
    }
    // A validated spec always parses; a spec that does not is reported by the validator.
    CronSchedules.parse(cron).ifPresent(parsed ->
        kinds.add(new Schedule(component.name(), KINDS.get(component.name()), namespace, parsed)));
  }

  private static Optional<CronJob> cronJob(Schedule kind, List<CronJob> cronJobs) {
    return cronJobs.stream()
        .filter(c -> kind.component().equals(c.getMetadata().getName())
            && kind.namespace().equals(c.getMetadata().getNamespace()))
        .findFirst();
  }

  /** A finished run: when, and what it reported. */
  private record Run(Instant at, Long bytes, String reason) {}

  private static BackupStatus statusOf(
      Schedule kind, List<Job> jobs, List<Pod> pods, Optional<CronJob> cronJob, List<BackupStatus> previous) {
    List<Run> successes = new ArrayList<>();
    List<Run> failures = new ArrayList<>();
    previous.stream().filter(p -> kind.kind().equals(p.getKind())).findFirst().ifPresent(p -> {
      parse(p.getLastSuccess()).ifPresent(t -> successes.add(new Run(t, p.getLastBytes(), null)));
      parse(p.getLastFailure()).ifPresent(t -> failures.add(new Run(t, null, p.getLastFailureReason())));
    });
    // Outlives the Job history, but knows nothing of bytes.
    cronJob.map(c -> c.getStatus() == null ? null : c.getStatus().getLastSuccessfulTime())
        .flatMap(BackupHealth::parse)
        .ifPresent(t -> successes.add(new Run(t, null, null)));
    for (Job job : jobs) {
      if (!kind.namespace().equals(job.getMetadata().getNamespace())
          || job.getMetadata().getLabels() == null
          || !kind.component().equals(job.getMetadata().getLabels().get(Labels.COMPONENT))) {
        continue;
      }
      Optional<String> message = terminationMessage(job, pods);
      Optional<JsonNode> result = message.flatMap(BackupHealth::json);
      finished(job, "Complete").ifPresent(t -> successes.add(new Run(t,
          result.map(r -> r.get("bytes")).filter(JsonNode::canConvertToLong).map(JsonNode::asLong).orElse(null),
          null)));
      finished(job, "Failed").ifPresent(t ->
          failures.add(new Run(t, null, failureReason(job, message, result))));
    }
    BackupStatus status = new BackupStatus();
    status.setKind(kind.kind());
    latest(successes).ifPresent(r -> {
      status.setLastSuccess(r.at().toString());
      status.setLastBytes(r.bytes());
    });
    latest(failures).ifPresent(r -> {
      status.setLastFailure(r.at().toString());
      status.setLastFailureReason(r.reason());
    });
    return status;
  }

  /** The latest run; of runs at the same second, one that knows more. */
  private static Optional<Run> latest(List<Run> runs) {
    return runs.stream().max(Comparator.comparing(Run::at)
        .thenComparing(r -> r.bytes() != null || r.reason() != null));
  }

  /** When the Job reached a condition (Complete or Failed) that is True. */
  private static Optional<Instant> finished(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    Optional<JobCondition> condition = job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
    if (condition.isEmpty()) {
      return Optional.empty();
    }
    String time = "Complete".equals(type) && job.getStatus().getCompletionTime() != null
        ? job.getStatus().getCompletionTime()
        : condition.get().getLastTransitionTime();
    return parse(time);
  }

  private static String failureReason(Job job, Optional<String> message, Optional<JsonNode> result) {
    Optional<String> scripted = result.map(r -> r.path("message").asText(""))
        .filter(m -> !m.isBlank());
    if (scripted.isPresent()) {
      return shorten(scripted.get());
    }
    Optional<JobCondition> failed = job.getStatus().getConditions().stream()
        .filter(c -> "Failed".equals(c.getType())).findFirst();
    String condition = failed.map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
        .orElse("Failed");
    if (result.isPresent() && result.get().has("exitCode")) {
      return shorten(condition + " (exit code " + result.get().get("exitCode").asInt() + ")");
    }
    // No JSON: the pod was killed before the script wrote one, or the log tail stands in for it.
    return shorten(message.filter(m -> !m.isBlank())
        .map(m -> condition + ": " + m.strip().lines().reduce((a, b) -> b).orElse(""))
        .orElse(condition));
  }

  /** The termination message of the Job's latest pod's main container. */
  private static Optional<String> terminationMessage(Job job, List<Pod> pods) {
    return pods.stream()
        .filter(p -> Objects.equals(p.getMetadata().getNamespace(), job.getMetadata().getNamespace()))
        .filter(p -> ownedBy(p, job))
        .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
        .flatMap(p -> p.getStatus().getContainerStatuses().stream())
        .map(ContainerStatus::getState)
        .filter(s -> s != null && s.getTerminated() != null)
        .map(s -> s.getTerminated())
        .max(Comparator.comparing((ContainerStateTerminated t) -> parse(t.getFinishedAt()).orElse(Instant.EPOCH)))
        .map(ContainerStateTerminated::getMessage)
        .filter(Objects::nonNull);
  }

  private static boolean ownedBy(Pod pod, Job job) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels != null && (job.getMetadata().getName().equals(labels.get("batch.kubernetes.io/job-name"))
        || job.getMetadata().getName().equals(labels.get("job-name")))) {
      return true;
    }
    return pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> "Job".equals(o.getKind()) && job.getMetadata().getName().equals(o.getName()));
  }

  private static Optional<JsonNode> json(String message) {
    try {
      JsonNode node = JSON.readTree(message.strip());
      return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
    } catch (IOException notJson) {
      return Optional.empty();
    }
  }

  /** The time between the schedule's two most recent firings before {@code now}. */
  static Duration interval(Cron cron, Instant now) {
    ExecutionTime times = ExecutionTime.forCron(cron);
    ZonedDateTime at = now.atZone(ZoneOffset.UTC);
    ZonedDateTime last = times.lastExecution(at).orElseThrow();
    ZonedDateTime before = times.lastExecution(last).orElseThrow();
    return Duration.between(before, last);
  }

  private static Instant created(HasMetadata object) {
    return parse(object.getMetadata().getCreationTimestamp()).orElse(Instant.EPOCH);
  }

  private static Optional<Instant> parse(String time) {
    if (time == null || time.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(time));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String failureSuffix(BackupStatus status) {
    return status.getLastFailure() == null
        ? ""
        : "; last failure " + status.getLastFailure() + ": " + status.getLastFailureReason();
  }

  private static String shorten(String text) {
    return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON - 3) + "...";
  }

  private static String human(Duration duration) {
    long hours = duration.toHours();
    long minutes = duration.toMinutesPart();
    return hours + "h" + (minutes == 0 ? "" : minutes + "m");
  }

  private static Condition condition(String status, String reason, String message, Long generation, Instant now) {
    return new ConditionBuilder()
        .withType(CONDITION_TYPE)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(now.toString())
        .build();
  }
}
