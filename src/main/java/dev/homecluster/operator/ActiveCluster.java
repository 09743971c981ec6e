package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.HomeCluster;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Which HomeCluster manages the cluster when more than one exists: the oldest, by creation time and
 * then by name. One machine set has one control plane and one set of keys (a CA, a service-account
 * key, an encryption key), with fixed Secret names, so a second HomeCluster must never write: it
 * would regenerate and overwrite the first one's keys. The oldest wins because a GitOps rename
 * creates the new object before it prunes the old one: the running cluster stays with the old name
 * until it is deleted, and then the new name adopts everything, keys included.
 *
 * <p>Pure: decided from the objects alone (creation times never change), so every operator replica
 * and every restart picks the same one. A HomeCluster being deleted stays the active one until it
 * is gone, so its finalizer still runs as its own.
 */
public final class ActiveCluster {
  static final Comparator<HomeCluster> OLDEST_FIRST =
      Comparator.comparing(
              (HomeCluster hc) -> created(hc), Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(hc -> hc.getMetadata().getName());

  private ActiveCluster() {}

  /** The HomeCluster that manages the cluster; empty when there is none. */
  public static Optional<HomeCluster> of(Collection<HomeCluster> clusters) {
    return clusters.stream().filter(Objects::nonNull).min(OLDEST_FIRST);
  }

  /** Whether {@code cluster} is the one that manages the cluster among {@code clusters}. */
  public static boolean is(HomeCluster cluster, Collection<HomeCluster> clusters) {
    return of(clusters)
        .map(active -> active.getMetadata().getName().equals(cluster.getMetadata().getName()))
        .orElse(true);
  }

  /**
   * Why {@code refused} writes nothing: names the active HomeCluster and what to do, as the message
   * of its Valid condition and Warning event.
   */
  public static String refusal(HomeCluster active) {
    String name = active.getMetadata().getName();
    return "HomeCluster \""
        + name
        + "\" already manages this cluster and its keys; only one HomeCluster is reconciled, so this"
        + " one writes nothing. To rename the cluster, delete \""
        + name
        + "\" (deletionPolicy Orphan, the default, keeps every workload and key running) and this"
        + " HomeCluster adopts them; otherwise delete this one";
  }

  private static OffsetDateTime created(HomeCluster hc) {
    String ts = hc.getMetadata().getCreationTimestamp();
    return ts == null || ts.isEmpty() ? null : OffsetDateTime.parse(ts);
  }
}
