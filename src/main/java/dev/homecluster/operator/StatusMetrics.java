package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.BackupStatus;
import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import dev.homecluster.pki.Pem;
import dev.homecluster.pki.PkiException;
import dev.homecluster.pki.SecretFiles;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MultiGauge.Row;
import io.micrometer.core.instrument.Tags;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The status as Prometheus gauges, for the chart's alerts (operator/templates/prometheusrule.yaml):
 *
 * <ul>
 *   <li>{@value #CONDITION}{@code {homecluster, type, status}}: 1 for each condition's current
 *       status, 0 for the other two (True, False, Unknown), as kube-state-metrics does;
 *   <li>{@value #BACKUP_LAST_SUCCESS}{@code {homecluster, kind}}: Unix time of each backup kind's
 *       last success;
 *   <li>{@value #CERTIFICATE_EXPIRATION}{@code {homecluster, secret, certificate}}: Unix time at
 *       which each certificate (every {@code *.crt} file) of the generated Secrets expires.
 * </ul>
 *
 * Series of a deleted HomeCluster, a removed backup kind or a dropped certificate disappear.
 */
final class StatusMetrics {
  static final String CONDITION = "homecluster.condition";
  static final String BACKUP_LAST_SUCCESS = "homecluster.backup.last.success.timestamp.seconds";
  static final String CERTIFICATE_EXPIRATION =
      "homecluster.certificate.expiration.timestamp.seconds";

  private static final List<String> STATUSES =
      List.of(Conditions.TRUE, Conditions.FALSE, Conditions.UNKNOWN);

  private final MultiGauge conditions;
  private final MultiGauge backups;
  private final MultiGauge certificates;
  private final Map<String, List<Row<?>>> conditionRows = new TreeMap<>();
  private final Map<String, List<Row<?>>> backupRows = new TreeMap<>();
  private final Map<String, List<Row<?>>> certificateRows = new TreeMap<>();
  /** Expiry per Secret and key, by the Secret's resourceVersion: certificates are parsed once. */
  private final Map<String, Map<String, Double>> expiryCache = new HashMap<>();

  StatusMetrics(MeterRegistry registry) {
    conditions =
        MultiGauge.builder(CONDITION)
            .description("1 for the current status of each HomeCluster condition, 0 otherwise")
            .register(registry);
    backups =
        MultiGauge.builder(BACKUP_LAST_SUCCESS)
            .description("Unix time of the last successful backup, per kind")
            .register(registry);
    certificates =
        MultiGauge.builder(CERTIFICATE_EXPIRATION)
            .description("Unix time at which a generated certificate expires")
            .register(registry);
  }

  /** The conditions and backups of the status. */
  synchronized void status(String cluster, HomeClusterStatus status) {
    List<Row<?>> c = new ArrayList<>();
    if (status != null && status.getConditions() != null) {
      for (Condition condition : status.getConditions()) {
        for (String s : STATUSES) {
          c.add(
              Row.of(
                  Tags.of("homecluster", cluster, "type", condition.getType(), "status", s),
                  s.equals(condition.getStatus()) ? 1 : 0));
        }
      }
    }
    conditionRows.put(cluster, c);
    List<Row<?>> b = new ArrayList<>();
    if (status != null && status.getBackups() != null) {
      for (BackupStatus backup : status.getBackups()) {
        epochSeconds(backup.getLastSuccess())
            .ifPresent(t -> b.add(Row.of(Tags.of("homecluster", cluster, "kind", backup.getKind()), t)));
      }
    }
    backupRows.put(cluster, b);
    publish();
  }

  /** The expiry of every certificate in the cluster's generated Secrets. */
  synchronized void certificates(String cluster, Collection<Secret> secrets) {
    List<Row<?>> rows = new ArrayList<>();
    Map<String, Map<String, Double>> seen = new HashMap<>();
    for (Secret secret : secrets) {
      String name = secret.getMetadata().getName();
      String cacheKey = cluster + "/" + name + "@" + secret.getMetadata().getResourceVersion();
      Map<String, Double> expiries = expiryCache.get(cacheKey);
      if (expiries == null) {
        expiries = expiries(secret);
      }
      seen.put(cacheKey, expiries);
      expiries.forEach(
          (key, t) ->
              rows.add(Row.of(Tags.of("homecluster", cluster, "secret", name, "certificate", key), t)));
    }
    expiryCache.keySet().removeIf(k -> k.startsWith(cluster + "/"));
    expiryCache.putAll(seen);
    certificateRows.put(cluster, rows);
    publish();
  }

  /** Drops every series of a HomeCluster that is gone. */
  synchronized void remove(String cluster) {
    conditionRows.remove(cluster);
    backupRows.remove(cluster);
    certificateRows.remove(cluster);
    expiryCache.keySet().removeIf(k -> k.startsWith(cluster + "/"));
    publish();
  }

  private void publish() {
    conditions.register(all(conditionRows), true);
    backups.register(all(backupRows), true);
    certificates.register(all(certificateRows), true);
  }

  private static List<Row<?>> all(Map<String, List<Row<?>>> rows) {
    List<Row<?>> result = new ArrayList<>();
    rows.values().forEach(result::addAll);
    return result;
  }

  /** Expiry (Unix seconds) of the first certificate of every {@code *.crt} file. */
  static Map<String, Double> expiries(Secret secret) {
    Map<String, Double> result = new TreeMap<>();
    SecretFiles.readAll(secret)
        .forEach(
            (key, text) -> {
              if (!key.endsWith(".crt")) {
                return;
              }
              try {
                X509Certificate certificate = Pem.certificate(text);
                result.put(key, (double) certificate.getNotAfter().toInstant().getEpochSecond());
              } catch (PkiException | IllegalArgumentException e) {
                // Not a certificate we can read: no series rather than a wrong one.
              }
            });
    return result;
  }

  private static java.util.Optional<Double> epochSeconds(String time) {
    if (time == null) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of((double) Instant.parse(time).getEpochSecond());
    } catch (DateTimeParseException e) {
      return java.util.Optional.empty();
    }
  }
}
