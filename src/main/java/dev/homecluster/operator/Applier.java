package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Server-side apply of one rendered object under the field manager {@code homecluster-operator},
 * forcing the fields it owns and leaving every other field to its manager, and only when the
 * cached object differs from the desired one in the fields this operator manages.
 */
final class Applier {
  private static final java.time.Duration REPLACE_TIMEOUT = java.time.Duration.ofSeconds(30);
  private final KubernetesClient client;

  Applier(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Whether the object carries an owner reference to a HomeCluster. Operator versions before 0.2
   * set one on every stateless object, so that the garbage collector deleted the control plane and
   * every key Secret with the HomeCluster (a {@code kubectl delete hc}, or a GitOps prune, took the
   * cluster down). Nothing carries one now; {@link #disown} removes the old ones.
   */
  static boolean ownedByAHomeCluster(HasMetadata object) {
    List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
    return refs != null && refs.stream().anyMatch(Applier::isHomeCluster);
  }

  private static boolean isHomeCluster(OwnerReference ref) {
    return HomeCluster.KIND.equals(ref.getKind())
        && ref.getApiVersion() != null
        && ref.getApiVersion().startsWith(HomeCluster.GROUP + "/");
  }

  /**
   * Removes owner references to HomeClusters from the stored object, keeping every other one (a
   * Job's CronJob, say), by a merge patch of the reference list: nothing else of the object is
   * touched.
   */
  void disown(HasMetadata stored) {
    List<OwnerReference> kept =
        stored.getMetadata().getOwnerReferences().stream().filter(r -> !isHomeCluster(r)).toList();
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("ownerReferences", kept.isEmpty() ? null : kept);
    client
        .resource(stored)
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("metadata", metadata)));
  }

  /**
   * Whether the actual object already holds every field the desired one sets, and holds no field
   * this operator set before and no longer wants. Compared on the operator's managedFields entry,
   * which the informer cache keeps for this.
   */
  static boolean matches(
      Optional<? extends HasMetadata> actual, HasMetadata desired, Context<HomeCluster> context) {
    return actual.isPresent()
        && DefaultingMatcher.INSTANCE.matches(actual.get(), desired, context);
  }

  /**
   * Creates the object, never replacing one of the same name: for keys, which must never be
   * overwritten by a generator that did not see them. A conflict (409) propagates.
   */
  HasMetadata create(HasMetadata desired) {
    return client.resource(desired).create();
  }

  /**
   * Whether the API server refused an apply because it would change a workload's selector, which
   * is immutable: workloads written by operator versions before 0.2 select on the HomeCluster's
   * name, which a rename changes and which selectors no longer carry.
   */
  static boolean immutableSelector(KubernetesClientException e) {
    return e.getCode() == 422
        && e.getStatus() != null
        && e.getStatus().getDetails() != null
        && e.getStatus().getDetails().getCauses() != null
        && e.getStatus().getDetails().getCauses().stream()
            .anyMatch(c -> "spec.selector".equals(c.getField()));
  }

  /**
   * Replaces a workload whose selector must change without stopping its pods: deletes it with
   * orphan propagation (its pods, or a Deployment's ReplicaSets, keep running), waits until it is
   * gone, and applies the new one, which adopts them (their labels match the new selector) and
   * rolls them as any template change does.
   */
  HasMetadata replaceKeepingPods(HasMetadata stored, HasMetadata desired) {
    client.resource(stored).withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
    long deadline = System.nanoTime() + REPLACE_TIMEOUT.toNanos();
    while (client.resource(stored).get() != null) {
      if (System.nanoTime() > deadline) {
        throw new KubernetesClientException(
            "replacing " + stored.getKind() + " " + stored.getMetadata().getName()
                + " for its new selector: the old one is still being deleted after " + REPLACE_TIMEOUT.toSeconds() + " s");
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KubernetesClientException("interrupted while replacing " + stored.getMetadata().getName(), e);
      }
    }
    return apply(desired);
  }

  /** Applies the object, forcing conflicts on the fields we set; returns what the server stored. */
  HasMetadata apply(HasMetadata desired) {
    return client.resource(desired).fieldManager(Names.OPERATOR).forceConflicts().serverSideApply();
  }
}
