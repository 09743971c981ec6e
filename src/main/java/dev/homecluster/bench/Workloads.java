package dev.homecluster.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The workloads (DaemonSets, Deployments, StatefulSets) of a rendering, and whether each is rolled
 * out and ready in the cluster: what both the operator's run and the floor wait for.
 */
public final class Workloads {
  private final List<HasMetadata> workloads;

  public Workloads(List<HasMetadata> rendered) {
    this.workloads =
        rendered.stream()
            .filter(o -> o instanceof DaemonSet || o instanceof Deployment || o instanceof StatefulSet)
            .toList();
  }

  public List<HasMetadata> all() {
    return workloads;
  }

  public List<DaemonSet> daemonSets() {
    return workloads.stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast).toList();
  }

  /** The workloads that are missing or not ready, described; empty when all are ready. */
  public List<String> notReady(KubernetesClient client) {
    List<String> waiting = new ArrayList<>();
    for (HasMetadata w : workloads) {
      String ns = w.getMetadata().getNamespace();
      String name = w.getMetadata().getName();
      String problem;
      if (w instanceof DaemonSet) {
        problem = daemonSet(client.apps().daemonSets().inNamespace(ns).withName(name).get());
      } else if (w instanceof Deployment) {
        problem = deployment(client.apps().deployments().inNamespace(ns).withName(name).get());
      } else {
        problem = statefulSet(client.apps().statefulSets().inNamespace(ns).withName(name).get());
      }
      if (problem != null) {
        waiting.add(w.getKind() + " " + ns + "/" + name + ": " + problem);
      }
    }
    return waiting;
  }

  static String daemonSet(DaemonSet ds) {
    if (ds == null) {
      return "missing";
    }
    var s = ds.getStatus();
    if (s == null || !Objects.equals(s.getObservedGeneration(), ds.getMetadata().getGeneration())) {
      return "not observed";
    }
    int desired = n(s.getDesiredNumberScheduled());
    if (n(s.getNumberReady()) != desired || n(s.getUpdatedNumberScheduled()) != desired) {
      return n(s.getNumberReady()) + "/" + desired + " ready";
    }
    return null;
  }

  static String deployment(Deployment d) {
    if (d == null) {
      return "missing";
    }
    var s = d.getStatus();
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    if (s == null || !Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())) {
      return "not observed";
    }
    if (n(s.getAvailableReplicas()) != want || n(s.getUpdatedReplicas()) != want || n(s.getReplicas()) != want) {
      return n(s.getAvailableReplicas()) + "/" + want + " available";
    }
    return null;
  }

  static String statefulSet(StatefulSet st) {
    if (st == null) {
      return "missing";
    }
    var s = st.getStatus();
    int want = st.getSpec().getReplicas() == null ? 1 : st.getSpec().getReplicas();
    if (s == null || !Objects.equals(s.getObservedGeneration(), st.getMetadata().getGeneration())) {
      return "not observed";
    }
    if (n(s.getReadyReplicas()) != want) {
      return n(s.getReadyReplicas()) + "/" + want + " ready";
    }
    return null;
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }
}
