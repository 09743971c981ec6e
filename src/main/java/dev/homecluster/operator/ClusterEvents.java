package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events on a HomeCluster (core/v1, in the default namespace as for every cluster-scoped object),
 * deduplicated: one per reason until its message changes, and a repeat of an earlier message
 * bumps that Event's count instead of adding another.
 */
final class ClusterEvents {
  static final String NORMAL = "Normal";
  static final String WARNING = "Warning";
  static final String NAMESPACE = "default";

  private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;
  /** Last message per HomeCluster uid and reason. */
  private final Map<String, String> last = new ConcurrentHashMap<>();

  ClusterEvents(KubernetesClient client, Clock clock, String instance) {
    this.client = client;
    this.clock = clock;
    this.instance = instance;
  }

  /** Records the event unless the last one of this reason said the same. */
  void emit(HomeCluster cluster, String type, String reason, String message) {
    String key = cluster.getMetadata().getUid() + "/" + reason;
    if (message.equals(last.put(key, message))) {
      return;
    }
    try {
      write(cluster, type, reason, message);
    } catch (KubernetesClientException e) {
      // An event is best effort: never fail a reconcile for it, but try again next time.
      last.remove(key);
      log.warn("cannot record event {} on HomeCluster {}: {}", reason, cluster.getMetadata().getName(), e.getMessage());
    }
  }

  /** Forgets the last message of a reason, so that its next occurrence is recorded again. */
  void clear(HomeCluster cluster, String reason) {
    last.remove(cluster.getMetadata().getUid() + "/" + reason);
  }

  private void write(HomeCluster cluster, String type, String reason, String message) {
    String now = Conditions.timestamp(clock.instant());
    String name = cluster.getMetadata().getName() + "." + shortHash(cluster.getMetadata().getUid() + reason + message);
    var events = client.v1().events().inNamespace(NAMESPACE);
    Event existing = events.withName(name).get();
    if (existing != null) {
      int count = existing.getCount() == null ? 1 : existing.getCount();
      events.withName(name).edit(e -> {
        e.setCount(count + 1);
        e.setLastTimestamp(now);
        return e;
      });
      return;
    }
    String truncated = message.length() > 1000 ? message.substring(0, 997) + "..." : message;
    events
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(cluster.getApiVersion())
                .withKind(cluster.getKind())
                .withName(cluster.getMetadata().getName())
                .withUid(cluster.getMetadata().getUid())
                .withResourceVersion(cluster.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(truncated)
                .withCount(1)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withNewSource()
                .withComponent(Names.OPERATOR)
                .endSource()
                .withReportingComponent(Names.OPERATOR)
                .withReportingInstance(instance)
                .build())
        .create();
  }

  private static String shortHash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
