package dev.homecluster.operator;

import dev.homecluster.render.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.util.Objects;
import java.util.Optional;

/**
 * What the controllers report of one owned workload.
 *
 * @param component its app.kubernetes.io/component label
 * @param kind DaemonSet, Deployment or StatefulSet
 * @param namespace its namespace
 * @param name its name
 * @param ready pods ready
 * @param desired pods wanted
 * @param current whether the controller has seen the latest spec and updated every pod
 */
public record WorkloadState(
    String component,
    String kind,
    String namespace,
    String name,
    int ready,
    int desired,
    boolean current) {

  /**
   * Ready when the controller is current and every wanted pod is ready. A DaemonSet that wants
   * no pod is not: no node matched its selector, which for this cluster means a missing Node.
   */
  public boolean isReady() {
    if (!current || ready < desired) {
      return false;
    }
    return desired > 0 || !"DaemonSet".equals(kind);
  }

  /** {@code DaemonSet kube-system/kube-proxy 2/3 ready}. */
  public String describe() {
    String suffix = current ? "" : ", rolling out";
    return kind + " " + namespace + "/" + name + " " + ready + "/" + desired + " ready" + suffix;
  }

  /** The state of a DaemonSet, Deployment or StatefulSet; empty for any other object. */
  public static Optional<WorkloadState> of(HasMetadata object) {
    String component =
        object.getMetadata().getLabels() == null
            ? ""
            : Objects.requireNonNullElse(object.getMetadata().getLabels().get(Labels.COMPONENT), "");
    String ns = object.getMetadata().getNamespace();
    String name = object.getMetadata().getName();
    long generation = Objects.requireNonNullElse(object.getMetadata().getGeneration(), 0L);
    if (object instanceof DaemonSet ds) {
      DaemonSetStatus s = ds.getStatus() == null ? new DaemonSetStatus() : ds.getStatus();
      int desired = n(s.getDesiredNumberScheduled());
      boolean current = observed(s.getObservedGeneration(), generation) && n(s.getUpdatedNumberScheduled()) >= desired;
      return Optional.of(new WorkloadState(component, "DaemonSet", ns, name, n(s.getNumberReady()), desired, current));
    }
    if (object instanceof Deployment d) {
      DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
      int desired = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      boolean current = observed(s.getObservedGeneration(), generation) && n(s.getUpdatedReplicas()) >= desired;
      return Optional.of(new WorkloadState(component, "Deployment", ns, name, n(s.getReadyReplicas()), desired, current));
    }
    if (object instanceof StatefulSet st) {
      StatefulSetStatus s = st.getStatus() == null ? new StatefulSetStatus() : st.getStatus();
      int desired = st.getSpec() == null || st.getSpec().getReplicas() == null ? 1 : st.getSpec().getReplicas();
      boolean current = observed(s.getObservedGeneration(), generation) && n(s.getUpdatedReplicas()) >= desired;
      return Optional.of(new WorkloadState(component, "StatefulSet", ns, name, n(s.getReadyReplicas()), desired, current));
    }
    return Optional.empty();
  }

  private static boolean observed(Long observedGeneration, long generation) {
    return observedGeneration != null && observedGeneration >= generation;
  }

  private static int n(Integer value) {
    return value == null ? 0 : value;
  }
}
