package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.BackupStatus;
import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import dev.homecluster.pki.Pem;
import dev.homecluster.pki.SecretFiles;
import dev.homecluster.render.Names;
import dev.homecluster.secrets.SecretGenerators;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The series the chart's alerts (operator/templates/prometheusrule.yaml) are written against. */
class StatusMetricsTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final StatusMetrics metrics = new StatusMetrics(registry);

  private static HomeClusterStatus status(String ready, String lastRsync) {
    HomeClusterStatus status = new HomeClusterStatus();
    status.setConditions(List.of(
        new ConditionBuilder().withType("Ready").withStatus(ready).withReason("x").build(),
        new ConditionBuilder().withType("BackupsHealthy").withStatus("Unknown").withReason("y").build()));
    BackupStatus rsync = new BackupStatus();
    rsync.setKind("rsync");
    rsync.setLastSuccess(lastRsync);
    BackupStatus zfs = new BackupStatus();
    zfs.setKind("zfs-snapshot");
    status.setBackups(List.of(rsync, zfs));
    return status;
  }

  @Test
  void conditionsAreOneForTheCurrentStatusAndZeroForTheOthers() {
    metrics.status("home", status("False", null));
    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("homecluster_condition{homecluster=\"home\",status=\"False\",type=\"Ready\"} 1.0")
        .contains("homecluster_condition{homecluster=\"home\",status=\"True\",type=\"Ready\"} 0.0")
        .contains("homecluster_condition{homecluster=\"home\",status=\"Unknown\",type=\"BackupsHealthy\"} 1.0");

    metrics.status("home", status("True", null));
    assertThat(registry.scrape())
        .contains("homecluster_condition{homecluster=\"home\",status=\"True\",type=\"Ready\"} 1.0")
        .contains("homecluster_condition{homecluster=\"home\",status=\"False\",type=\"Ready\"} 0.0");
  }

  @Test
  void backupsWithASuccessHaveItsTimeAndTheOthersNoSeries() {
    metrics.status("home", status("True", "2026-11-30T02:30:04Z"));

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("homecluster_backup_last_success_timestamp_seconds{homecluster=\"home\",kind=\"rsync\"} "
            + (double) Instant.parse("2026-11-30T02:30:04Z").getEpochSecond())
        .doesNotContain("kind=\"zfs-snapshot\"");
  }

  @Test
  void everyGeneratedCertificateHasItsExpiry() {
    Map<String, Secret> secrets =
        SecretGenerators.generateAll(Examples.load(Examples.HOME), Map.of(), Instant.parse("2026-11-30T09:00:00Z"), new SecureRandom());

    metrics.certificates("home", secrets.values());

    Secret serving = secrets.get(Names.APISERVER_SERVING_SECRET);
    long notAfter = Pem.certificate(SecretFiles.read(serving, "tls.crt").orElseThrow()).getNotAfter().toInstant().getEpochSecond();
    String scrape = registry.scrape();
    assertThat(scrape).contains(
        "homecluster_certificate_expiration_timestamp_seconds{certificate=\"tls.crt\",homecluster=\"home\",secret=\""
            + Names.APISERVER_SERVING_SECRET + "\"} " + (double) notAfter);
    // Keys and non-certificate files (the service-account key pair, the encryption config) give none.
    assertThat(scrape).doesNotContain("certificate=\"tls.key\"").doesNotContain("certificate=\"sa.key\"");
  }

  @Test
  void aDeletedHomeClusterLeavesNoSeries() {
    metrics.status("home", status("True", "2026-11-30T02:30:04Z"));
    metrics.status("lab", status("True", null));

    metrics.remove("home");

    assertThat(registry.scrape()).doesNotContain("homecluster=\"home\"").contains("homecluster=\"lab\"");
  }
}
