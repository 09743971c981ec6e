package dev.homecluster.bench;

import dev.homecluster.render.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What must hold once the operator has converged, however often it was killed on the way: every
 * rendered object exists, nothing it labels as its own exists that the rendering does not contain
 * (no orphans), and no workload runs twice (one active ReplicaSet per Deployment, one pod per
 * DaemonSet and node, the Deployment's replica count of pods).
 */
public final class Invariants {
  private Invariants() {}

  /** The problems found; empty when all holds. {@code secrets}: the Secret names expected. */
  public static List<String> check(KubernetesClient client, List<HasMetadata> rendered, Set<String> secrets) {
    List<String> problems = new ArrayList<>();
    Set<String> expected = new HashSet<>();
    for (HasMetadata o : rendered) {
      expected.add(key(o));
      boolean exists =
          o.getMetadata().getNamespace() == null
              ? client.resource(o).get() != null
              : client.resource(o).inNamespace(o.getMetadata().getNamespace()).get() != null;
      if (!exists) {
        problems.add("missing " + key(o));
      }
    }
    String selector = Labels.MANAGED_SELECTOR;
    List<HasMetadata> owned = new ArrayList<>();
    owned.addAll(client.apps().daemonSets().inAnyNamespace().withLabelSelector(selector).list().getItems());
    owned.addAll(client.apps().deployments().inAnyNamespace().withLabelSelector(selector).list().getItems());
    owned.addAll(client.apps().statefulSets().inAnyNamespace().withLabelSelector(selector).list().getItems());
    owned.addAll(client.batch().v1().cronjobs().inAnyNamespace().withLabelSelector(selector).list().getItems());
    owned.addAll(client.configMaps().inAnyNamespace().withLabelSelector(selector).list().getItems());
    owned.addAll(client.services().inAnyNamespace().withLabelSelector(selector).list().getItems());
    owned.addAll(client.serviceAccounts().inAnyNamespace().withLabelSelector(selector).list().getItems());
    for (HasMetadata o : owned) {
      if (!expected.contains(key(o))) {
        problems.add("orphan " + key(o));
      }
    }
    Set<String> secretNames = new TreeSet<>();
    client.secrets().inAnyNamespace().withLabelSelector(selector).list().getItems().stream()
        .filter(s -> !expected.contains(key(s)))
        .forEach(s -> secretNames.add(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
    if (secrets != null && !secretNames.equals(secrets)) {
      problems.add("generated Secrets " + secretNames + " instead of " + secrets);
    }
    for (HasMetadata o : rendered) {
      if (o instanceof Deployment d) {
        problems.addAll(deploymentRunsOnce(client, d));
      } else if (o instanceof DaemonSet ds) {
        problems.addAll(daemonSetRunsOncePerNode(client, ds));
      }
    }
    return problems;
  }

  /** The generated Secrets (labelled as the operator's but not rendered), as namespace/name. */
  public static Set<String> generatedSecrets(KubernetesClient client, List<HasMetadata> rendered) {
    Set<String> expected = new HashSet<>();
    rendered.forEach(o -> expected.add(key(o)));
    Set<String> names = new TreeSet<>();
    client.secrets().inAnyNamespace().withLabelSelector(Labels.MANAGED_SELECTOR).list().getItems().stream()
        .filter(s -> !expected.contains(key(s)))
        .forEach(s -> names.add(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
    return names;
  }

  private static List<String> deploymentRunsOnce(KubernetesClient client, Deployment rendered) {
    String ns = rendered.getMetadata().getNamespace();
    Deployment d = client.apps().deployments().inNamespace(ns).withName(rendered.getMetadata().getName()).get();
    if (d == null) {
      return List.of();
    }
    List<ReplicaSet> active =
        client.apps().replicaSets().inNamespace(ns).list().getItems().stream()
            .filter(rs -> ownedBy(rs, d.getMetadata().getUid()))
            .filter(rs -> rs.getSpec().getReplicas() != null && rs.getSpec().getReplicas() > 0)
            .toList();
    List<String> problems = new ArrayList<>();
    if (active.size() != 1) {
      problems.add("Deployment " + ns + "/" + d.getMetadata().getName() + " has " + active.size() + " active ReplicaSets");
      return problems;
    }
    long pods =
        client.pods().inNamespace(ns).list().getItems().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(p -> ownedBy(p, active.get(0).getMetadata().getUid()))
            .count();
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    if (pods != want) {
      problems.add("Deployment " + ns + "/" + d.getMetadata().getName() + " runs " + pods + " pods, wants " + want);
    }
    return problems;
  }

  private static List<String> daemonSetRunsOncePerNode(KubernetesClient client, DaemonSet rendered) {
    String ns = rendered.getMetadata().getNamespace();
    DaemonSet ds = client.apps().daemonSets().inNamespace(ns).withName(rendered.getMetadata().getName()).get();
    if (ds == null) {
      return List.of();
    }
    List<Pod> pods =
        client.pods().inNamespace(ns).list().getItems().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(p -> ownedBy(p, ds.getMetadata().getUid()))
            .toList();
    Set<String> nodes = new HashSet<>();
    List<String> problems = new ArrayList<>();
    for (Pod p : pods) {
      if (!nodes.add(String.valueOf(p.getSpec().getNodeName()))) {
        problems.add("DaemonSet " + ns + "/" + ds.getMetadata().getName() + " runs twice on " + p.getSpec().getNodeName());
      }
    }
    return problems;
  }

  private static boolean ownedBy(HasMetadata o, String uid) {
    List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
    return refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()));
  }

  static String key(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return o.getKind() + " " + (ns == null ? "" : ns + "/") + o.getMetadata().getName();
  }
}
