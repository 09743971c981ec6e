package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Server-side apply of one rendered object under the field manager {@code homecluster-operator},
 * forcing the fields it owns and leaving every other field to its manager, and only when the
 * cached object differs from the desired one in the fields this operator manages.
 */
final class Applier {
  private final KubernetesClient client;

  Applier(KubernetesClient client) {
    this.client = client;
  }

  /** Makes the HomeCluster the owner of stateless objects, so they go with it. */
  static void adopt(HasMetadata desired, HomeCluster cluster) {
    if (!DataBearing.garbageCollected(desired)) {
      return;
    }
    OwnerReference owner =
        new OwnerReferenceBuilder()
            .withApiVersion(cluster.getApiVersion())
            .withKind(cluster.getKind())
            .withName(cluster.getMetadata().getName())
            .withUid(cluster.getMetadata().getUid())
            .withController(true)
            .build();
    List<OwnerReference> refs = new ArrayList<>();
    if (desired.getMetadata().getOwnerReferences() != null) {
      desired.getMetadata().getOwnerReferences().stream()
          .filter(r -> !r.getUid().equals(owner.getUid()))
          .forEach(refs::add);
    }
    refs.add(owner);
    desired.getMetadata().setOwnerReferences(refs);
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

  /** Applies the object, forcing conflicts on the fields we set; returns what the server stored. */
  HasMetadata apply(HasMetadata desired) {
    return client.resource(desired).fieldManager(Names.OPERATOR).forceConflicts().serverSideApply();
  }
}
