package dev.homecluster.operator;

import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;

/**
 * What the informers keep of each object, so the operator's memory stays small: managedFields
 * (often the biggest part of an object) only as far as the operator's own apply entry, which the
 * SSA matcher needs to tell our fields from others'; of Nodes no image list; of Pods only where
 * they run and whether they are ready. Objects are changed in place: they come fresh from a
 * watch or list.
 */
public final class CacheTransforms {
  private CacheTransforms() {}

  /** Keeps only the managedFields entry of the operator's server-side applies. */
  public static <R extends HasMetadata> R ownManagedFieldsOnly(R object) {
    List<ManagedFieldsEntry> entries = object.getMetadata().getManagedFields();
    if (entries != null && !entries.isEmpty()) {
      object
          .getMetadata()
          .setManagedFields(
              entries.stream()
                  .filter(e -> Names.OPERATOR.equals(e.getManager()) && "Apply".equals(e.getOperation()))
                  .toList());
    }
    return object;
  }

  /** A Node without its image list (hundreds of entries on a busy node). */
  public static Node slimNode(Node node) {
    ownManagedFieldsOnly(node);
    if (node.getStatus() != null) {
      node.getStatus().setImages(null);
      node.getStatus().setVolumesAttached(null);
      node.getStatus().setVolumesInUse(null);
    }
    return node;
  }

  /**
   * A Pod reduced to its labels, its node, its phase, its conditions and, of containers that
   * ended, how they ended (a backup Job's pod reports its result in its termination message).
   */
  public static Pod slimPod(Pod pod) {
    pod.getMetadata().setManagedFields(null);
    // Empty, not null: JOSDK's event filter reads the annotations.
    pod.getMetadata().setAnnotations(new java.util.HashMap<>());
    PodSpec spec = new PodSpec();
    spec.setNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName());
    pod.setSpec(spec);
    if (pod.getStatus() != null) {
      PodStatus status = new PodStatus();
      status.setPhase(pod.getStatus().getPhase());
      status.setConditions(pod.getStatus().getConditions());
      status.setContainerStatuses(terminatedOnly(pod.getStatus().getContainerStatuses()));
      pod.setStatus(status);
    }
    return pod;
  }

  private static List<ContainerStatus> terminatedOnly(List<ContainerStatus> statuses) {
    if (statuses == null) {
      return null;
    }
    List<ContainerStatus> ended =
        statuses.stream()
            .filter(c -> c.getState() != null && c.getState().getTerminated() != null)
            .map(c -> {
              ContainerStatus slim = new ContainerStatus();
              slim.setName(c.getName());
              ContainerState state = new ContainerState();
              state.setTerminated(c.getState().getTerminated());
              slim.setState(state);
              return slim;
            })
            .toList();
    return ended.isEmpty() ? null : ended;
  }
}
