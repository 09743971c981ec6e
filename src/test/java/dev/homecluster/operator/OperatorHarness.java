package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Component;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.Renderer;
import dev.homecluster.render.storage.CephProbeComponent;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One in-process operator on the test cluster, its client counting writes, and the waits the
 * operator tests share. The HomeCluster is cluster-scoped and the objects it renders have fixed
 * names, so the tests run one HomeCluster at a time and {@link #close} removes it completely.
 */
final class OperatorHarness implements AutoCloseable {
  static final String NAME = "home";
  static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  final TestCluster cluster;
  final KubernetesClient admin;
  final WriteCounter writes = new WriteCounter();
  final KubernetesClient operatorClient;
  private final Duration resync;
  HomeClusterOperator operator;

  private final boolean realStorage;

  OperatorHarness(TestCluster cluster, Duration resync) {
    this(cluster, resync, true);
  }

  OperatorHarness(TestCluster cluster, Duration resync, boolean realStorage) {
    this.realStorage = realStorage;
    this.cluster = cluster;
    this.admin = cluster.client();
    this.resync = resync;
    String kubeconfig;
    try {
      kubeconfig = Files.readString(cluster.kubeconfig());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.operatorClient =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(kubeconfig))
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("count-writes", writes))
            .build();
  }

  /** Every default component, plus the test probes. */
  static Renderer renderer() {
    return renderer(true);
  }

  /**
   * The default components plus the test probes; without the real storage component when {@code
   * realStorage} is false, so that storage tests see only the probe's CephCluster, whose status
   * they set in place of Rook (the real component's objects are checked by CephIT).
   */
  static Renderer renderer(boolean realStorage) {
    List<Component> components = new ArrayList<>();
    for (Component c : Renderer.DEFAULT_COMPONENTS) {
      if (realStorage || !c.getClass().getPackageName().equals(CephProbeComponent.class.getPackageName())) {
        components.add(c);
      }
    }
    components.add(new ProbeComponent());
    components.add(new CephProbeComponent());
    return new Renderer(components);
  }

  OperatorHarness start() {
    operator =
        new HomeClusterOperator(
                operatorClient,
                OperatorOptions.inProcess().withRenderer(renderer(realStorage)).withResyncInterval(resync).withHttpPort(0))
            .start();
    return this;
  }

  void stop() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  HomeCluster apply(HomeCluster cluster) {
    ensureBackupNamespace(cluster);
    cluster.getMetadata().setName(NAME);
    cluster.setStatus(null);
    return admin.resource(cluster).fieldManager("it-user").forceConflicts().serverSideApply();
  }

  /**
   * Creates the namespaces rendered objects live in that no component renders and the cluster
   * lacks: Rook's namespace (its Helm chart makes it; the simulated cluster has only its CRDs)
   * and, until the backup component is registered, the backup namespace the storage component's
   * claim goes into. Without them every apply of the documented example fails on those objects.
   */
  private void ensureBackupNamespace(HomeCluster cluster) {
    if (!new dev.homecluster.validation.Validator().validate(cluster).isValid()) {
      return; // An invalid spec renders nothing, so it needs no namespace.
    }
    var objects = renderer(realStorage).render(dev.homecluster.render.RenderContext.of(cluster)).objects();
    java.util.Set<String> rendered = new java.util.HashSet<>();
    objects.stream().filter(o -> o.getKind().equals("Namespace")).forEach(o -> rendered.add(o.getMetadata().getName()));
    objects.stream()
        .map(o -> o.getMetadata().getNamespace())
        .filter(ns -> ns != null && !rendered.contains(ns))
        .distinct()
        .filter(ns -> admin.namespaces().withName(ns).get() == null)
        .forEach(ns -> {
          System.err.println("[operator-it] creating namespace " + ns + ": no registered component renders it");
          admin.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
              .withName(ns).addToLabels("homecluster.dev/test", "true").endMetadata().build()).create();
        });
  }

  HomeCluster get() {
    return admin.resources(HomeCluster.class).withName(NAME).get();
  }

  Condition condition(String type) {
    HomeCluster hc = get();
    return hc == null || hc.getStatus() == null ? null : Conditions.find(hc.getStatus().getConditions(), type);
  }

  HomeCluster awaitCondition(String type, String status, Duration timeout) {
    Eventually.await(
        type + "=" + status + " on HomeCluster " + NAME,
        timeout,
        () -> conditionText(type),
        text -> text.startsWith(status + " "));
    return get();
  }

  private String conditionText(String type) {
    Condition c = condition(type);
    return c == null ? "absent" : c.getStatus() + " " + c.getReason() + ": " + c.getMessage();
  }

  HomeCluster awaitReady() {
    HomeCluster hc = awaitCondition(ConditionTypes.READY, "True", READY_TIMEOUT);
    Eventually.await(
        "status of generation " + hc.getMetadata().getGeneration(),
        TIMEOUT,
        this::get,
        c -> c.getStatus().getObservedGeneration().equals(c.getMetadata().getGeneration()));
    return get();
  }

  /** Waits until the operator has made no write for {@code quiet}. */
  void awaitQuiet(Duration quiet) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    int seen = writes.writes().size();
    long since = System.nanoTime();
    while (System.nanoTime() - since < quiet.toNanos()) {
      assertThat(System.nanoTime()).as("the operator kept writing: %s", writes.writes()).isLessThan(deadline);
      sleep(Duration.ofMillis(250));
      int now = writes.writes().size();
      if (now != seen) {
        seen = now;
        since = System.nanoTime();
      }
    }
  }

  double reconciles() {
    var timer = operator.registry().find(HomeClusterReconciler.METRIC_RECONCILE).timer();
    return timer == null ? 0 : timer.count();
  }

  /** Objects of the HomeCluster in kube-system, as a key to resourceVersion map. */
  Map<String, String> controlPlaneVersions() {
    Map<String, String> versions = new java.util.TreeMap<>();
    Map<String, String> labels = Map.of(Labels.PART_OF, NAME);
    List<HasMetadata> objects = new ArrayList<>();
    objects.addAll(admin.apps().daemonSets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withLabels(labels).list().getItems());
    objects.addAll(admin.apps().deployments().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withLabels(labels).list().getItems());
    objects.addAll(admin.configMaps().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withLabels(labels).list().getItems());
    objects.addAll(admin.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withLabels(labels).list().getItems());
    objects.addAll(admin.nodes().list().getItems());
    for (HasMetadata o : objects) {
      if (o.getKind().equals("Node")) {
        versions.put("Node/" + o.getMetadata().getName(), new java.util.TreeMap<>(o.getMetadata().getLabels()).toString());
      } else if (o.getKind().equals("DaemonSet") || o.getKind().equals("Deployment")) {
        // Their controllers write status (a new resourceVersion) as pods come and go; the
        // generation moves only when someone changes the spec.
        versions.put(o.getKind() + "/" + o.getMetadata().getName(), "generation " + o.getMetadata().getGeneration());
      } else {
        versions.put(o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion());
      }
    }
    return versions;
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Deletes the HomeCluster (with an operator running for its finalizer) and what it left. */
  @Override
  public void close() {
    try {
      if (get() != null) {
        if (operator == null) {
          start();
        }
        admin.resources(HomeCluster.class).withName(NAME).delete();
        Eventually.await("HomeCluster " + NAME + " gone", TIMEOUT, this::get, java.util.Objects::isNull);
      }
      stop();
      // Data-bearing objects are kept on purpose; the next test (of any class: the cluster is
      // shared) starts from none, and from Nodes without the operator's taints.
      admin.persistentVolumes().withName(CephProbeComponent.VOLUME).delete();
      DataObjects data = new DataObjects(admin, NAME);
      data.list().forEach(data::delete);
      Eventually.await("the HomeCluster's data-bearing objects gone", TIMEOUT, data::list, List::isEmpty);
      admin.nodes().list().getItems().stream()
          .filter(n -> n.getSpec().getTaints() != null
              && n.getSpec().getTaints().stream().anyMatch(t -> Placement.CONTROL_PLANE_TAINT_KEY.equals(t.getKey())))
          .forEach(n -> admin.nodes().withName(n.getMetadata().getName()).edit(edited -> {
            edited.getSpec().getTaints().removeIf(t -> Placement.CONTROL_PLANE_TAINT_KEY.equals(t.getKey()));
            return edited;
          }));
      if (admin.getApiResources("ceph.rook.io/v1") != null) {
        admin.genericKubernetesResources("ceph.rook.io/v1", "CephCluster")
            .inNamespace(CephProbeComponent.NAMESPACE).withName(CephProbeComponent.CEPH_CLUSTER).delete();
      }
      // Deleting a HomeCluster deletes none of its workloads or keys (by design): remove them.
      dev.homecluster.testing.ClusterCleanup.deleteAll(admin, NAME, renderer(realStorage), TIMEOUT);
    } finally {
      stop();
      operatorClient.close();
    }
  }
}
