package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.BackupStatus;
import dev.homecluster.api.v1alpha1.DeletionPolicy;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import dev.homecluster.api.v1alpha1.NodeCapacity;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.operator.ComponentOutcome.Result;
import dev.homecluster.render.Component;
import dev.homecluster.render.ComponentOutput;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.RenderResult;
import dev.homecluster.render.Renderer;
import dev.homecluster.render.backup.BackupHealth;
import dev.homecluster.render.storage.ResourcePlan;
import dev.homecluster.render.storage.ResourcePlanner;
import dev.homecluster.secrets.SecretGenerator;
import dev.homecluster.validation.Problem;
import dev.homecluster.validation.ValidationResult;
import dev.homecluster.validation.Validator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a cluster what its HomeCluster says, and keeps it so. Each reconcile: validate (an invalid
 * spec stops here, with Valid=False, and nothing is applied or deleted); run the SecretGenerators
 * (they create what is missing and renew what must change); render with their content hash; apply
 * every rendered object that differs from the cache, in render order, skipping components whose
 * custom resources the cluster does not serve; delete owned stateless objects no longer rendered;
 * then compute the status from what the informers see, and patch it only when it changed.
 *
 * <p>Only the oldest HomeCluster is reconciled ({@link ActiveCluster}); another one is refused and
 * writes nothing. Nothing carries an owner reference to the HomeCluster: deleting it never takes
 * the cluster down ({@link #cleanup}).
 */
@ControllerConfiguration(name = HomeClusterReconciler.NAME)
public final class HomeClusterReconciler implements Reconciler<HomeCluster>, Cleaner<HomeCluster> {
  public static final String NAME = "homecluster";

  static final String REASON_APPLIED = "Applied";
  static final String REASON_INVALID = "InvalidSpec";
  static final String REASON_APPLY_FAILED = "ApplyFailed";
  static final String REASON_RECONCILE_FAILED = "ReconcileFailed";
  static final String REASON_DATA_KEPT = "DataKept";
  static final String REASON_DATA_DELETED = "DataDeleted";
  static final String REASON_DELETING_DATA = "DeletingData";
  static final String REASON_DELETED = "Deleted";
  static final String REASON_KEYS_ADOPTED = "KeysAdopted";
  /** How often a refused HomeCluster looks again whether the active one is gone. */
  static final Duration REFUSED_RECHECK = Duration.ofSeconds(10);

  /** Duration of every reconcile (count: how many ran). */
  public static final String METRIC_RECONCILE = "homecluster.reconcile";
  /** Objects written by server-side apply (or edit, for Node taints), by kind. */
  public static final String METRIC_APPLIED = "homecluster.objects.applied";
  /** Owned objects deleted because they are no longer rendered, by kind. */
  public static final String METRIC_DELETED = "homecluster.objects.deleted";

  private static final Logger log = LoggerFactory.getLogger(HomeClusterReconciler.class);
  private static final Duration DELETION_POLL = Duration.ofSeconds(5);
  /** How many changed objects an Applied event names. */
  private static final int EVENT_OBJECTS = 8;

  private final Renderer renderer;
  private final List<SecretGenerator> generators;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final MeterRegistry registry;
  private final String instance;
  private final Validator validator = new Validator();
  private final StatusMetrics statusMetrics;
  /** Components are applied side by side, this many at a time (each one in its own order). */
  private static final int APPLY_THREADS = 4;

  private final ExecutorService applyPool =
      Executors.newFixedThreadPool(APPLY_THREADS, r -> {
        Thread t = new Thread(r, "homecluster-apply");
        t.setDaemon(true);
        return t;
      });
  private final StatusAggregator aggregator = new StatusAggregator();
  private final OwnedInformers informers = new OwnedInformers();
  private volatile InformerEventSource<Node, HomeCluster> nodes;
  /** Pods of owned workloads, one informer per namespace the operator manages. */
  private volatile List<InformerEventSource<Pod, HomeCluster>> pods;
  private volatile InformerEventSource<CertificateSigningRequest, HomeCluster> csrs;
  private volatile KubeletServingApprover approver;
  private volatile ClusterEvents events;
  private volatile io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache<HomeCluster> clusters;

  public HomeClusterReconciler(
      Renderer renderer,
      List<SecretGenerator> generators,
      Clock clock,
      MeterRegistry registry,
      String instance) {
    this.renderer = renderer;
    this.generators = List.copyOf(generators);
    this.clock = clock;
    this.registry = registry;
    this.instance = instance;
    this.statusMetrics = new StatusMetrics(registry);
  }

  @Override
  public List<EventSource<?, HomeCluster>> prepareEventSources(EventSourceContext<HomeCluster> context) {
    informers.init(context);
    clusters = context.getPrimaryCache();
    events = new ClusterEvents(context.getClient(), clock, instance);
    nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, HomeCluster.class)
                .withName("nodes")
                // Every Node, not only labelled ones: the operator labels them. A home cluster
                // has a handful; their image lists are dropped.
                .withSecondaryToPrimaryMapper(node -> clustersListing(context, node))
                .withItemStore(new TransformingItemStore<>(CacheTransforms::slimNode))
                .withOnUpdateFilter((newNode, oldNode) -> NodeChange.relevant(oldNode, newNode))
                .build(),
            context);
    // Only pods of owned workloads: their templates carry the managed-by label, and they run
    // only in the namespaces the operator writes to. One informer per namespace, each with its
    // own item store (a multi-namespace informer shares one).
    pods = WatchedNamespaces.all().stream().sorted().map(namespace ->
        new InformerEventSource<Pod, HomeCluster>(
            InformerEventSourceConfiguration.from(Pod.class, HomeCluster.class)
                .withName("pods-" + namespace)
                .withLabelSelector(Labels.MANAGED_SELECTOR)
                .withNamespaces(Set.of(namespace))
                .withSecondaryToPrimaryMapper(OwnedInformers::toCluster)
                .withItemStore(new TransformingItemStore<>(CacheTransforms::slimPod))
                .withOnUpdateFilter((newPod, oldPod) -> !PodState.of(newPod).equals(PodState.of(oldPod)))
                .build(),
            context)).toList();
    approver = new KubeletServingApprover(context.getClient(), events);
    csrs =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(CertificateSigningRequest.class, HomeCluster.class)
                .withName("kubelet-serving-csrs")
                // A kubelet's serving-certificate request maps to the HomeClusters that list its node.
                .withSecondaryToPrimaryMapper(csr -> clustersOfRequester(context, csr))
                .build(),
            context);
    List<EventSource<?, HomeCluster>> sources = new ArrayList<>();
    sources.add(nodes);
    sources.addAll(pods);
    sources.add(csrs);
    return sources;
  }

  private static Set<ResourceID> clustersOfRequester(
      EventSourceContext<HomeCluster> context, CertificateSigningRequest csr) {
    if (csr.getSpec() == null
        || !KubeletServingCsrDecision.SIGNER.equals(csr.getSpec().getSignerName())
        || csr.getSpec().getUsername() == null
        || !csr.getSpec().getUsername().startsWith(KubeletServingCsrDecision.NODE_PREFIX)) {
      return Set.of();
    }
    String name = csr.getSpec().getUsername().substring(KubeletServingCsrDecision.NODE_PREFIX.length());
    return context
        .getPrimaryCache()
        .list(hc -> hc.getSpec() != null && hc.getSpec().getNodes().stream().anyMatch(n -> name.equals(n.getName())))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static Set<ResourceID> clustersListing(EventSourceContext<HomeCluster> context, Node node) {
    String name = node.getMetadata().getName();
    return context
        .getPrimaryCache()
        .list(hc -> hc.getSpec() != null && hc.getSpec().getNodes().stream().anyMatch(n -> name.equals(n.getName())))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<HomeCluster> reconcile(HomeCluster cluster, Context<HomeCluster> context) {
    long started = System.nanoTime();
    String outcome = "failed";
    try {
      ValidationResult validation = validator.validate(cluster);
      if (!validation.isValid()) {
        String message = validation.errors().stream().map(Problem::toString).collect(Collectors.joining("; "));
        events.emit(cluster, ClusterEvents.WARNING, REASON_INVALID, "nothing applied: " + message);
        outcome = "invalid (nothing applied): " + message;
        return patchIfChanged(cluster, aggregator.invalid(cluster, validation.errors(), clock.instant()), context);
      }
      events.clear(cluster, REASON_INVALID);
      Optional<HomeCluster> active = activeOther(cluster);
      if (active.isPresent()) {
        String message = ActiveCluster.refusal(active.get());
        events.emit(cluster, ClusterEvents.WARNING, StatusAggregator.REASON_ANOTHER_CLUSTER, message);
        outcome = "refused (nothing applied): " + message;
        patchIfChanged(cluster, aggregator.refused(cluster, message, clock.instant()), context);
        // Nothing about this HomeCluster changes when the active one goes: look again.
        return UpdateControl.<HomeCluster>noUpdate().rescheduleAfter(REFUSED_RECHECK);
      }
      events.clear(cluster, StatusAggregator.REASON_ANOTHER_CLUSTER);
      if (csrs != null) {
        // Kubelets' serving certificates: approved before anything else, so that logs and exec
        // work on a node as soon as its kubelet asks.
        approver.decide(cluster, csrs.list().toList());
      }
      Pass pass = new Pass(cluster, context);
      pass.run(validation);
      statusMetrics.certificates(cluster.getMetadata().getName(), pass.generatedSecrets);
      outcome = pass.summary();
      if (pass.failed()) {
        throw new ReconcileFailedException(pass.failureMessage(), pass.status);
      }
      events.clear(cluster, REASON_APPLY_FAILED);
      events.clear(cluster, REASON_RECONCILE_FAILED);
      return patchIfChanged(cluster, pass.status, context);
    } finally {
      long nanos = System.nanoTime() - started;
      registry.timer(METRIC_RECONCILE).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
      long ms = nanos / 1_000_000;
      log.info("reconciled HomeCluster {} generation {} in {} ms: {}",
          cluster.getMetadata().getName(), cluster.getMetadata().getGeneration(), ms, outcome);
    }
  }

  private UpdateControl<HomeCluster> patchIfChanged(
      HomeCluster cluster, HomeClusterStatus status, Context<HomeCluster> context) {
    statusMetrics.status(cluster.getMetadata().getName(), status);
    patchStatus(cluster, status, context);
    return UpdateControl.noUpdate();
  }

  /** The other, older HomeCluster that manages the cluster, if there is one ({@link ActiveCluster}). */
  private Optional<HomeCluster> activeOther(HomeCluster cluster) {
    if (clusters == null) {
      return Optional.empty();
    }
    return ActiveCluster.of(clusters.list().toList())
        .filter(active -> !active.getMetadata().getName().equals(cluster.getMetadata().getName()));
  }

  /**
   * Applies the status to the status subresource when it differs from the cached one, with
   * optimistic locking, and puts the result in the cache so the next reconcile compares against
   * it. (Not through UpdateControl: JOSDK would apply HomeCluster's Java defaults, or compute a
   * JSON patch against a status the server does not have yet.)
   */
  private static boolean patchStatus(
      HomeCluster cluster, HomeClusterStatus status, Context<HomeCluster> context) {
    if (StatusComparison.same(cluster.getStatus(), status)) {
      return false;
    }
    HomeCluster fresh = new HomeCluster();
    fresh.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(cluster.getMetadata().getName())
            .withUid(cluster.getMetadata().getUid())
            .build());
    fresh.setSpec(null);
    fresh.setStatus(status);
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(cluster, fresh, context);
    return true;
  }

  @Override
  public ErrorStatusUpdateControl<HomeCluster> updateErrorStatus(
      HomeCluster cluster, Context<HomeCluster> context, Exception e) {
    // JOSDK hands the exception over wrapped.
    Throwable cause = e;
    while (cause != null && !(cause instanceof ReconcileFailedException)) {
      cause = cause.getCause();
    }
    Exception reported = cause instanceof ReconcileFailedException failed ? failed : e;
    HomeClusterStatus status =
        cause instanceof ReconcileFailedException failed
            ? failed.status()
            : aggregator.failed(cluster, describe(rootCause(e)), clock.instant());
    String reason = cause instanceof ReconcileFailedException ? REASON_APPLY_FAILED : REASON_RECONCILE_FAILED;
    events.emit(cluster, ClusterEvents.WARNING, reason, describe(reported));
    statusMetrics.status(cluster.getMetadata().getName(), status);
    try {
      patchStatus(cluster, status, context);
    } catch (KubernetesClientException patchFailed) {
      log.warn("cannot patch the status of HomeCluster {}: {}", cluster.getMetadata().getName(), apiMessage(patchFailed));
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /**
   * Deleting a HomeCluster never takes the cluster down: nothing the operator writes carries an
   * owner reference to it, so the garbage collector removes nothing. Under {@code Orphan} (the
   * default) everything stays as it runs, labelled with the HomeCluster's name, and a new
   * HomeCluster adopts it. {@code Delete} removes the data-bearing objects (Ceph, the backup
   * volumes) and the storage and backup components' other objects, and keeps what the cluster
   * needs to serve its API ({@link DeletionScope}): the control plane, the VIP, the node labels and
   * every key Secret. A refused HomeCluster ({@link ActiveCluster}) owns nothing and deletes nothing.
   */
  @Override
  public DeleteControl cleanup(HomeCluster cluster, Context<HomeCluster> context) {
    KubernetesClient client = context.getClient();
    String name = cluster.getMetadata().getName();
    if (activeOther(cluster).isPresent()) {
      log.info("HomeCluster {} deleted; it was refused (another HomeCluster is active), nothing to do", name);
      statusMetrics.remove(name);
      return DeleteControl.defaultDelete();
    }
    DataObjects data = new DataObjects(client, name);
    List<HasMetadata> present = data.list();
    DeletionPolicy policy =
        cluster.getSpec() == null || cluster.getSpec().getDeletionPolicy() == null
            ? DeletionPolicy.Orphan
            : cluster.getSpec().getDeletionPolicy();
    if (policy == DeletionPolicy.Delete) {
      // Idempotent: a restarted operator lands here again and deletes what is still there.
      List<HasMetadata> stateless = DeletionScope.removedByDelete(renderer, cluster, client);
      stateless.forEach(data::delete);
      present.stream().filter(o -> o.getMetadata().getDeletionTimestamp() == null).forEach(data::delete);
      List<HasMetadata> remaining = data.list();
      if (!remaining.isEmpty()) {
        String waiting = describeAll(remaining);
        events.emit(cluster, ClusterEvents.NORMAL, REASON_DELETING_DATA, "waiting for the deletion of " + waiting);
        log.info("HomeCluster {} deletion: waiting for {}", name, waiting);
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(DELETION_POLL);
      }
      if (!present.isEmpty()) {
        events.emit(cluster, ClusterEvents.NORMAL, REASON_DATA_DELETED, "deleted " + describeAll(present) + " (deletionPolicy: Delete)");
      }
      if (!stateless.isEmpty()) {
        events.emit(cluster, ClusterEvents.NORMAL, REASON_DELETED, "deleted " + stateless.size()
            + " object(s) of the storage and backup components (deletionPolicy: Delete); the control plane, the"
            + " endpoint and the keys keep running");
      }
    } else if (!present.isEmpty()) {
      events.emit(cluster, ClusterEvents.NORMAL, REASON_DATA_KEPT, "kept " + describeAll(present) + " (deletionPolicy: Orphan)");
    }
    log.info("HomeCluster {} deleted ({}); data-bearing objects {}: {}; the control plane, endpoint and keys keep running",
        name, policy, policy == DeletionPolicy.Delete ? "deleted" : "kept", present.isEmpty() ? "none" : describeAll(present));
    statusMetrics.remove(name);
    return DeleteControl.defaultDelete();
  }

  private static Exception rootCause(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t instanceof Exception ex ? ex : e;
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  static String describe(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return o.getKind() + " " + (ns == null ? "" : ns + "/") + o.getMetadata().getName();
  }

  private static String describeAll(List<HasMetadata> objects) {
    return objects.stream().map(HomeClusterReconciler::describe).collect(Collectors.joining(", "));
  }

  /** Identity of an object across kinds: apiVersion, kind, namespace, name. */
  static String key(HasMetadata o) {
    return o.getApiVersion() + "/" + o.getKind() + "/" + Objects.requireNonNullElse(o.getMetadata().getNamespace(), "") + "/" + o.getMetadata().getName();
  }

  /** One reconcile of a valid HomeCluster. */
  private final class Pass {
    private final HomeCluster cluster;
    private final Context<HomeCluster> context;
    private final KubernetesClient client;
    private final Applier applier;
    private final List<ComponentOutcome> outcomes = new ArrayList<>();
    private final List<String> changed = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<String> pruned = new ArrayList<>();
    private HomeClusterStatus status;
    /** Where the pass spent its time, for the log line. */
    private String phases = "";
    private long informersMillis;
    /** The generated Secrets as they are after this pass. */
    private List<Secret> generatedSecrets = List.of();

    Pass(HomeCluster cluster, Context<HomeCluster> context) {
      this.cluster = cluster;
      this.context = context;
      this.client = context.getClient();
      this.applier = new Applier(client);
    }

    void run(ValidationResult validation) {
      long t0 = System.nanoTime();
      Map<String, String> runtimeInputs = new TreeMap<>(generateSecrets());
      long t1 = System.nanoTime();
      RenderResult rendered = renderer.render(new RenderContext(cluster, runtimeInputs));
      long t2 = System.nanoTime();
      applyAll(rendered);
      prune(rendered);
      long t3 = System.nanoTime();
      status = aggregator.aggregate(cluster, observe(validation, rendered), clock.instant());
      long t4 = System.nanoTime();
      phases = String.format(java.util.Locale.ROOT,
          "secrets %d ms, render %d ms, apply %d ms (informers %d ms), status %d ms",
          (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, informersMillis,
          (t4 - t3) / 1_000_000);
      if (!changed.isEmpty() || !pruned.isEmpty()) {
        events.emit(cluster, ClusterEvents.NORMAL, REASON_APPLIED, changeMessage());
      }
      if (failed()) {
        events.emit(cluster, ClusterEvents.WARNING, REASON_APPLY_FAILED, failureMessage());
      }
    }

    boolean failed() {
      return outcomes.stream().anyMatch(o -> o.result() == Result.FAILED);
    }

    String failureMessage() {
      return outcomes.stream()
          .filter(o -> o.result() == Result.FAILED)
          .map(o -> o.component() + ": " + o.message())
          .collect(Collectors.joining("; "));
    }

    String summary() {
      long skipped = outcomes.stream().filter(o -> o.result() == Result.SKIPPED).count();
      String text = changed.size() + " applied, " + pruned.size() + " deleted, " + skipped + " component(s) skipped"
          + " (" + phases + ")";
      if (failed()) {
        text += ", failed: " + failureMessage();
      }
      if (!changed.isEmpty()) {
        text += " [" + String.join(", ", changed) + "]";
      }
      return text;
    }

    private String changeMessage() {
      List<String> all = new ArrayList<>(changed);
      pruned.forEach(p -> all.add("deleted " + p));
      String listed = all.stream().limit(EVENT_OBJECTS).collect(Collectors.joining(", "));
      String more = all.size() > EVENT_OBJECTS ? " and " + (all.size() - EVENT_OBJECTS) + " more" : "";
      return "applied " + changed.size() + " object(s), deleted " + pruned.size() + ": " + listed + more;
    }

    /**
     * Runs every SecretGenerator against the key Secrets that exist, each seeing what the ones
     * before it made (as {@link dev.homecluster.secrets.SecretGenerators#generateAll} does), writes
     * what they return, and hashes the result.
     *
     * <p>The keys are the cluster's, not one HomeCluster's: they are found by name among every
     * Secret this operator manages in kube-system, whichever HomeCluster (or the bootstrap) wrote
     * them, so a renamed HomeCluster finds and adopts them instead of making new ones. A new key is
     * created, never applied over a Secret of the same name (a 409 stops the pass before anything
     * signed by a key that was not stored is written); only a renewal of an existing one replaces
     * it.
     */
    private Map<String, String> generateSecrets() {
      InformerEventSource<HasMetadata, HomeCluster> secrets = informers.forKind(new SecretBuilder().build(), context);
      String name = cluster.getMetadata().getName();
      Map<String, Secret> existing = new TreeMap<>();
      secrets.list(Names.CONTROL_PLANE_NAMESPACE, o -> true).forEach(o -> existing.put(o.getMetadata().getName(), (Secret) o));
      Map<String, Secret> seen = new HashMap<>(existing);
      Map<String, String> madeBy = new LinkedHashMap<>();
      for (SecretGenerator generator : generators) {
        for (Secret secret : generator.generate(cluster, Map.copyOf(seen), clock.instant(), random)) {
          seen.put(secret.getMetadata().getName(), secret);
          madeBy.put(secret.getMetadata().getName(), generator.name());
        }
      }
      for (Map.Entry<String, String> made : madeBy.entrySet()) {
        Secret secret = seen.get(made.getKey());
        if (secret.getMetadata().getNamespace() == null) {
          secret.getMetadata().setNamespace(Names.CONTROL_PLANE_NAMESPACE);
        }
        Map<String, String> labels = new TreeMap<>();
        if (secret.getMetadata().getLabels() != null) {
          labels.putAll(secret.getMetadata().getLabels());
        }
        labels.putAll(Labels.common(name, made.getValue()));
        secret.getMetadata().setLabels(labels);
        secret.getMetadata().setOwnerReferences(null);
        Secret stored;
        if (existing.containsKey(made.getKey())) {
          stored = (Secret) applier.apply(secret);
        } else {
          try {
            stored = (Secret) applier.create(secret);
          } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
              throw e;
            }
            Secret there = client.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(made.getKey()).get();
            if (there != null && there.getMetadata().getLabels() != null
                && Names.OPERATOR.equals(there.getMetadata().getLabels().get(Labels.MANAGED_BY))) {
              // Made a moment ago and not in the cache yet: retry from what is stored, never over it.
              throw new IllegalStateException("Secret " + Names.CONTROL_PLANE_NAMESPACE + "/" + made.getKey()
                  + " was created meanwhile and is not cached yet; nothing overwritten, retrying", e);
            }
            throw new KubernetesClientException(
                "Secret " + Names.CONTROL_PLANE_NAMESPACE + "/" + made.getKey()
                    + " exists but is not among the keys this operator sees (label "
                    + Labels.MANAGED_SELECTOR + "); refusing to overwrite a key. Label it to have it adopted,"
                    + " or delete it to have it made anew",
                e);
          }
        }
        existing.put(stored.getMetadata().getName(), stored);
        registry.counter(METRIC_APPLIED, "kind", "Secret").increment();
        // Names the Secret and its generator, never its content.
        changed.add("Secret " + Names.CONTROL_PLANE_NAMESPACE + "/" + stored.getMetadata().getName() + " (" + made.getValue() + ")");
      }
      adoptKeys(existing.values());
      Set<String> generatorNames = generators.stream().map(SecretGenerator::name).collect(Collectors.toSet());
      List<Secret> generated =
          existing.values().stream()
              .filter(s -> s.getMetadata().getLabels() != null
                  && generatorNames.contains(s.getMetadata().getLabels().get(Labels.COMPONENT)))
              .toList();
      generatedSecrets = generated;
      // Each workload's input hash counts the Secrets its volumes name, by name, whatever wrote
      // them: render --bootstrap labels its Secrets with the component "pki", not a generator.
      Map<String, String> inputs = new TreeMap<>(RuntimeSecretsHash.perSecret(existing.values()));
      inputs.put(Names.RUNTIME_SECRETS_HASH, RuntimeSecretsHash.of(generated));
      return inputs;
    }

    /**
     * Puts this HomeCluster's name on key Secrets another name (an earlier name of the cluster, or
     * the bootstrap) wrote, and drops the owner references older operator versions set on them, so
     * that no deletion of a HomeCluster can take them with it. Labels and owner references only, by
     * merge patch: the key material is not touched.
     */
    private void adoptKeys(java.util.Collection<Secret> keys) {
      String name = cluster.getMetadata().getName();
      for (Secret key : keys) {
        String partOf = OwnedInformers.partOf(key);
        boolean relabel = partOf != null && !name.equals(partOf);
        boolean owned = Applier.ownedByAHomeCluster(key);
        if (!relabel && !owned) {
          continue;
        }
        var secret = client.secrets().inNamespace(key.getMetadata().getNamespace()).withName(key.getMetadata().getName());
        if (owned) {
          applier.disown(key);
        }
        if (relabel) {
          secret.edit(s -> {
            s.getMetadata().getLabels().put(Labels.PART_OF, name);
            return s;
          });
          events.emit(cluster, ClusterEvents.NORMAL, REASON_KEYS_ADOPTED,
              "adopted the cluster's keys written under the name \"" + partOf + "\" (Secret "
                  + key.getMetadata().getNamespace() + "/" + key.getMetadata().getName() + " and the others)");
        }
        changed.add("Secret " + key.getMetadata().getNamespace() + "/" + key.getMetadata().getName()
            + (relabel ? " adopted from " + partOf : " disowned"));
      }
    }

    private void applyAll(RenderResult rendered) {
      Map<String, Component> components = new HashMap<>();
      renderer.components().forEach(c -> components.put(c.name(), c));
      Set<String> taintKeys = managedTaintKeys(rendered);
      ApiDiscovery discovery = new ApiDiscovery(client);
      // The informers of every kind about to be applied, started together on the first reconcile.
      long preparing = System.nanoTime();
      informers.prepare(
          rendered.components().stream()
              .filter(output -> discovery.missing(output.requiredApis()).isEmpty())
              .flatMap(output -> output.objects().stream())
              .filter(o -> !(o instanceof Node))
              .toList(),
          context);
      informersMillis = (System.nanoTime() - preparing) / 1_000_000;
      // Namespaces first, across components: a component may put objects into a namespace
      // another one renders (the backup source claim of Ceph into the backup namespace).
      Map<String, String> namespaceFailures = new HashMap<>();
      for (ComponentOutput output : rendered.components()) {
        if (!discovery.missing(output.requiredApis()).isEmpty()) {
          continue;
        }
        for (HasMetadata desired : output.objects()) {
          if (desired instanceof Namespace) {
            try {
              applyObject(desired);
            } catch (KubernetesClientException e) {
              namespaceFailures.putIfAbsent(output.component(), describe(desired) + ": " + apiMessage(e));
            }
          }
        }
      }
      // Then the components side by side, each in its own order (its ServiceAccounts, RBAC and
      // ConfigMaps before the workloads that use them); the outcomes stay in render order.
      List<CompletableFuture<ComponentOutcome>> results = new ArrayList<>();
      for (ComponentOutput output : rendered.components()) {
        Component component = components.get(output.component());
        Optional<String> condition =
            component == null ? Optional.empty() : ConditionTypes.forComponent(component);
        List<String> missing = discovery.missing(output.requiredApis());
        if (!missing.isEmpty()) {
          results.add(CompletableFuture.completedFuture(
              new ComponentOutcome(output.component(), condition, Result.SKIPPED,
                  MissingApis.reason(missing), MissingApis.message(missing))));
        } else if (namespaceFailures.containsKey(output.component())) {
          results.add(CompletableFuture.completedFuture(
              new ComponentOutcome(output.component(), condition, Result.FAILED, REASON_APPLY_FAILED,
                  namespaceFailures.get(output.component()))));
        } else {
          results.add(CompletableFuture.supplyAsync(() -> applyComponent(output, condition, taintKeys), applyPool));
        }
      }
      try {
        results.forEach(r -> outcomes.add(r.join()));
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException cause ? cause : e;
      }
    }

    /** One component's objects in order; the first that fails ends the component. */
    private ComponentOutcome applyComponent(
        ComponentOutput output, Optional<String> condition, Set<String> taintKeys) {
      HasMetadata current = null;
      try {
        for (HasMetadata desired : output.objects()) {
          current = desired;
          if (desired instanceof Node node) {
            applyNode(node, taintKeys);
          } else if (!(desired instanceof Namespace)) {
            applyObject(desired);
          }
        }
        return ComponentOutcome.applied(output.component(), condition);
      } catch (KubernetesClientException e) {
        // Later objects of this component may need the one that failed; other components go on.
        String what = current == null ? "" : describe(current) + ": ";
        return new ComponentOutcome(output.component(), condition, Result.FAILED, REASON_APPLY_FAILED,
            what + apiMessage(e));
      }
    }

    private void applyObject(HasMetadata desired) {
      InformerEventSource<HasMetadata, HomeCluster> source = informers.forKind(desired, context);
      Optional<HasMetadata> actual =
          informers.get(source, desired.getMetadata().getNamespace(), desired.getMetadata().getName());
      if (actual.isPresent() && Applier.ownedByAHomeCluster(actual.get())) {
        // Written by an older operator version, whose garbage-collected owner reference would
        // take it away with the HomeCluster.
        applier.disown(actual.get());
        changed.add(describe(desired) + " disowned");
      }
      if (Applier.matches(actual, desired, context)) {
        return;
      }
      try {
        applier.apply(desired);
        changed.add(describe(desired));
      } catch (KubernetesClientException e) {
        if (actual.isEmpty() || !Applier.immutableSelector(e)) {
          throw e;
        }
        applier.replaceKeepingPods(actual.get(), desired);
        changed.add(describe(desired) + " replaced for its new selector, pods kept");
      }
      registry.counter(METRIC_APPLIED, "kind", desired.getKind()).increment();
    }

    /**
     * Labels and taints of an existing Node; a Node that is not registered is left alone (never
     * created: a Node is a machine). Labels by server-side apply, guarded by the cached
     * resourceVersion so that a Node deleted meanwhile is not re-created; taints by an edit that
     * keeps every taint the operator does not manage.
     */
    private void applyNode(Node desired, Set<String> taintKeys) {
      String name = desired.getMetadata().getName();
      Optional<Node> actual = nodes.get(new ResourceID(name));
      if (actual.isEmpty()) {
        return;
      }
      Node labels =
          new NodeBuilder()
              .withNewMetadata()
              .withName(name)
              .withLabels(desired.getMetadata().getLabels())
              .endMetadata()
              .build();
      if (!Applier.matches(actual, labels, context)) {
        labels.getMetadata().setResourceVersion(actual.get().getMetadata().getResourceVersion());
        try {
          applier.apply(labels);
          changed.add("Node " + name + " labels");
          registry.counter(METRIC_APPLIED, "kind", "Node").increment();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
          // The Node changed since the cache saw it; its update event brings us back here.
          log.debug("Node {} changed while labelling it; retrying on its event", name);
        }
      }
      List<Taint> wanted = desired.getSpec() == null ? List.of() : desired.getSpec().getTaints();
      List<Taint> has = actual.get().getSpec() == null ? List.of() : actual.get().getSpec().getTaints();
      Optional<List<Taint>> taints = NodeTaints.reconcile(has, wanted, taintKeys);
      if (taints.isPresent()) {
        client.nodes().withName(name).edit(n -> {
          Optional<List<Taint>> fresh =
              NodeTaints.reconcile(n.getSpec().getTaints(), wanted, taintKeys);
          fresh.ifPresent(t -> n.getSpec().setTaints(t));
          return n;
        });
        changed.add("Node " + name + " taints");
        registry.counter(METRIC_APPLIED, "kind", "Node").increment();
      }
    }

    private Set<String> managedTaintKeys(RenderResult rendered) {
      Set<String> keys = new HashSet<>();
      keys.add(Placement.CONTROL_PLANE_TAINT_KEY);
      rendered.objects().stream()
          .filter(Node.class::isInstance)
          .map(Node.class::cast)
          .filter(n -> n.getSpec() != null && n.getSpec().getTaints() != null)
          .forEach(n -> n.getSpec().getTaints().forEach(t -> keys.add(t.getKey())));
      return keys;
    }

    /**
     * Deletes stateless objects this cluster no longer renders (a component switched off, a node
     * removed). Only objects this operator applied (its server-side apply entry in managedFields)
     * for this HomeCluster (its part-of label), and that no other controller made: not objects
     * that merely copied its labels (Jobs of a CronJob, ReplicaSets of a Deployment), nor what the
     * bootstrap wrote; never data-bearing objects, Namespaces or generated Secrets.
     */
    private void prune(RenderResult rendered) {
      Set<String> desired = rendered.objects().stream().map(HomeClusterReconciler::key).collect(Collectors.toSet());
      Set<String> generatorNames = generators.stream().map(SecretGenerator::name).collect(Collectors.toSet());
      for (HasMetadata owned : informers.ownedBy(cluster.getMetadata().getName())) {
        String component = owned.getMetadata().getLabels().get(Labels.COMPONENT);
        if (desired.contains(key(owned))
            || generatorNames.contains(component)
            || !DataBearing.garbageCollected(owned)
            || !appliedByTheOperator(owned)
            || controlledByAnotherController(owned)
            || owned.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        try {
          client.resource(owned).delete();
          pruned.add(describe(owned));
          registry.counter(METRIC_DELETED, "kind", owned.getKind()).increment();
        } catch (KubernetesClientException e) {
          log.warn("cannot delete {} that is no longer rendered: {}", describe(owned), apiMessage(e));
        }
      }
    }

    private Observation observe(ValidationResult validation, RenderResult rendered) {
      String name = cluster.getMetadata().getName();
      List<HasMetadata> owned = informers.ownedBy(name);
      List<WorkloadState> workloads = owned.stream().map(WorkloadState::of).flatMap(Optional::stream).toList();
      List<CustomResourceState> customResources =
          owned.stream()
              .filter(GenericKubernetesResource.class::isInstance)
              .map(o -> CustomResourceState.of((GenericKubernetesResource) o))
              .toList();
      List<PodState> podStates =
          podsOf(name).map(PodState::of).toList();
      Set<String> specNodes =
          cluster.getSpec().getNodes().stream().map(NodeSpec::getName).collect(Collectors.toSet());
      Map<String, NodeState> nodeStates = new LinkedHashMap<>();
      nodes
          .list(n -> specNodes.contains(n.getMetadata().getName()))
          .map(NodeState::of)
          .forEach(n -> nodeStates.put(n.name(), n));
      List<String> warnings = new ArrayList<>(validation.warnings().stream().map(Problem::toString).toList());
      // Requests against what the registered Nodes offer (the spec's declared capacity for the rest).
      Map<String, NodeCapacity> allocatable = new HashMap<>();
      nodes
          .list(n -> specNodes.contains(n.getMetadata().getName()))
          .forEach(n -> NodeAllocatable.of(n).ifPresent(a -> allocatable.put(n.getMetadata().getName(), a)));
      ResourcePlan plan = ResourcePlanner.plan(cluster, rendered.objects(), allocatable);
      plan.warnings().forEach(w -> warnings.add(w.toString()));
      BackupHealth.Report backups = backups(rendered);
      return new Observation(
          outcomes, workloads, customResources, podStates, nodeStates, warnings,
          backups == null ? null : backups.backups(),
          backups == null ? null : backups.condition(),
          plan.toStatus());
    }

    /**
     * The backups' runs, from the backup CronJobs, their Jobs and the Jobs' pods in the caches;
     * null when the spec has no backups.
     */
    private BackupHealth.Report backups(RenderResult rendered) {
      if (cluster.getSpec().getBackup() == null) {
        return null;
      }
      String name = cluster.getMetadata().getName();
      // In each namespace the backup CronJobs render into, their Jobs there.
      List<CronJob> cronJobs = new ArrayList<>();
      List<Job> jobs = new ArrayList<>();
      rendered.objects().stream().filter(CronJob.class::isInstance)
          .map(o -> o.getMetadata().getNamespace()).distinct().forEach(namespace -> {
            informers.forKind(new io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder().withNewMetadata()
                    .withNamespace(namespace).endMetadata().build(), context)
                .list(o -> name.equals(OwnedInformers.partOf(o))).map(CronJob.class::cast).forEach(cronJobs::add);
            informers.forKind(new JobBuilder().withNewMetadata().withNamespace(namespace).endMetadata().build(), context)
                .list(o -> name.equals(OwnedInformers.partOf(o))).map(Job.class::cast).forEach(jobs::add);
          });
      List<Pod> jobPods = podsOf(name).toList();
      List<BackupStatus> previous =
          cluster.getStatus() == null || cluster.getStatus().getBackups() == null
              ? List.of()
              : cluster.getStatus().getBackups();
      return BackupHealth.evaluate(cluster, cronJobs, jobs, jobPods, previous, clock.instant());
    }
  }

  /** Cached pods of owned workloads that belong to the named HomeCluster, in every managed namespace. */
  private java.util.stream.Stream<Pod> podsOf(String clusterName) {
    return pods.stream().flatMap(source -> source.list(p -> clusterName.equals(OwnedInformers.partOf(p))));
  }

  /** Whether the operator's own server-side apply wrote the object (the cache keeps that entry). */
  private static boolean appliedByTheOperator(HasMetadata object) {
    return object.getMetadata().getManagedFields() != null
        && object.getMetadata().getManagedFields().stream()
            .anyMatch(f -> Names.OPERATOR.equals(f.getManager()) && "Apply".equals(f.getOperation()));
  }

  /** Whether a controller other than a HomeCluster made the object (a CronJob its Job, say). */
  private static boolean controlledByAnotherController(HasMetadata object) {
    return object.getMetadata().getOwnerReferences() != null
        && object.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> Boolean.TRUE.equals(r.getController()) && !HomeCluster.KIND.equals(r.getKind()));
  }

  static String apiMessage(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getCode() + " " + e.getStatus().getMessage();
    }
    return e.getMessage();
  }

  /** A reconcile that applied what it could and failed on the rest; carries the status to patch. */
  static final class ReconcileFailedException extends RuntimeException {
    private final transient HomeClusterStatus status;

    ReconcileFailedException(String message, HomeClusterStatus status) {
      super(message);
      this.status = status;
    }

    HomeClusterStatus status() {
      return status;
    }
  }
}
