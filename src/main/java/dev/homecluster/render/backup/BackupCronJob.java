package dev.homecluster.render.backup;

import dev.homecluster.render.Labels;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;

/**
 * The frame every backup CronJob shares: UTC schedule, never two runs at once, bounded history
 * (the operator reads the last Jobs into status, so they are kept rather than expired by TTL), a
 * deadline, and Jobs labelled with their component so status can tell the kinds apart.
 *
 * @param name the CronJob's name, also the component
 * @param namespace its namespace
 * @param schedule cron schedule
 * @param startingDeadlineSeconds how late a missed run may still start
 * @param activeDeadlineSeconds when a running Job is stopped and counted as failed
 * @param backoffLimit pod retries within one run
 */
record BackupCronJob(
    String name,
    String namespace,
    String schedule,
    long startingDeadlineSeconds,
    long activeDeadlineSeconds,
    int backoffLimit) {
  /** Kept Jobs of each outcome; enough to show the last success next to a run of failures. */
  static final int HISTORY_LIMIT = 3;
  /** Schedules are UTC whatever the controller-manager's local time zone. */
  static final String TIME_ZONE = "Etc/UTC";
  /** Where the scripts write their JSON result; Kubernetes copies it into the pod's status. */
  static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";

  CronJob build(String clusterName, PodSpec pod) {
    pod.setRestartPolicy("Never");
    return new CronJobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .withSchedule(schedule)
        .withTimeZone(TIME_ZONE)
        .withConcurrencyPolicy("Forbid")
        .withStartingDeadlineSeconds(startingDeadlineSeconds)
        .withSuccessfulJobsHistoryLimit(HISTORY_LIMIT)
        .withFailedJobsHistoryLimit(HISTORY_LIMIT)
        .withNewJobTemplate()
        .withNewMetadata()
        .withLabels(Labels.common(clusterName, name))
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(backoffLimit)
        .withActiveDeadlineSeconds(activeDeadlineSeconds)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.pod(clusterName, name))
        .endMetadata()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .endJobTemplate()
        .endSpec()
        .build();
  }
}
