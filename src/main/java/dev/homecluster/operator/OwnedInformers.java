package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One label-scoped informer per kind (and, for namespaced kinds, per namespace) the renderer
 * produced, registered the first time a reconcile renders that kind there: the operator watches exactly the kinds its components use, whatever they
 * are, and of each only the objects labelled {@code app.kubernetes.io/managed-by=homecluster-operator}.
 * Every event maps back to the HomeCluster named by the object's part-of label, so a deleted or
 * edited object triggers a reconcile.
 */
final class OwnedInformers {
  private final Map<String, InformerEventSource<HasMetadata, HomeCluster>> sources = new LinkedHashMap<>();
  private volatile EventSourceContext<HomeCluster> eventSourceContext;

  void init(EventSourceContext<HomeCluster> context) {
    this.eventSourceContext = context;
  }

  /** The informer for the kind of {@code example}, registered and synced on first use. */
  synchronized InformerEventSource<HasMetadata, HomeCluster> forKind(
      HasMetadata example, Context<HomeCluster> context) {
    String key = key(example);
    InformerEventSource<HasMetadata, HomeCluster> source = sources.get(key);
    if (source == null) {
      source = create(example);
      // Blocks until the informer has listed: the first compare never sees an empty cache.
      source =
          (InformerEventSource<HasMetadata, HomeCluster>)
              context.eventSourceRetriever().dynamicallyRegisterEventSource(source);
      sources.put(key, source);
    }
    return source;
  }

  /**
   * Registers the informers of every kind among {@code examples} that has none yet, starting them
   * side by side: each start lists its kind and waits until the watch is synced, and one after the
   * other they made up most of the first reconcile (twenty kinds or so).
   */
  void prepare(List<? extends HasMetadata> examples, Context<HomeCluster> context) {
    Map<String, InformerEventSource<HasMetadata, HomeCluster>> missing = new LinkedHashMap<>();
    synchronized (this) {
      for (HasMetadata example : examples) {
        String key = key(example);
        if (!sources.containsKey(key) && !missing.containsKey(key)) {
          missing.put(key, create(example));
        }
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    Map<String, java.util.concurrent.CompletableFuture<InformerEventSource<HasMetadata, HomeCluster>>> started =
        new LinkedHashMap<>();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(Math.min(missing.size(), 8), r -> {
          Thread t = new Thread(r, "informer-start");
          t.setDaemon(true);
          return t;
        });
    try {
      missing.forEach((key, source) -> started.put(key, java.util.concurrent.CompletableFuture.supplyAsync(
          () -> (InformerEventSource<HasMetadata, HomeCluster>)
              context.eventSourceRetriever().dynamicallyRegisterEventSource(source),
          pool)));
      synchronized (this) {
        started.forEach((key, future) -> sources.putIfAbsent(key, future.join()));
      }
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    } finally {
      pool.shutdown();
    }
  }

  /** The cached object, as the informer last saw it. */
  Optional<HasMetadata> get(
      InformerEventSource<HasMetadata, HomeCluster> source, String namespace, String name) {
    return source.get(new ResourceID(name, namespace));
  }

  /** Every cached object that belongs to the named HomeCluster, over every registered kind. */
  synchronized List<HasMetadata> ownedBy(String clusterName) {
    List<HasMetadata> result = new ArrayList<>();
    for (InformerEventSource<HasMetadata, HomeCluster> source : sources.values()) {
      source.list(o -> clusterName.equals(partOf(o))).forEach(result::add);
    }
    return result;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private InformerEventSource<HasMetadata, HomeCluster> create(HasMetadata example) {
    if (eventSourceContext == null) {
      throw new IllegalStateException("event sources are not prepared yet");
    }
    InformerEventSourceConfiguration.Builder builder =
        example instanceof GenericKubernetesResource
            ? InformerEventSourceConfiguration.from(
                new GroupVersionKind(example.getApiVersion(), example.getKind()), HomeCluster.class)
            : InformerEventSourceConfiguration.from(example.getClass(), HomeCluster.class);
    builder
        .withName(name(example.getApiVersion(), example.getKind(), namespace(example)))
        .withLabelSelector(Labels.MANAGED_SELECTOR)
        .withSecondaryToPrimaryMapper(
            (io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper<HasMetadata>)
                OwnedInformers::toCluster)
        .withItemStore(new TransformingItemStore<HasMetadata>(CacheTransforms::ownManagedFieldsOnly));
    String namespace = namespace(example);
    if (namespace != null) {
      // One informer per namespace the rendering uses: the chart grants reading namespaced kinds
      // there alone (a Role in each), never cluster-wide. Not one informer over several
      // namespaces: those would share the one item store and see each other's objects.
      builder.withNamespaces(Set.of(namespace));
    }
    return new InformerEventSource<>(builder.build(), eventSourceContext);
  }

  /**
   * The namespace the informer of {@code example} watches: Secrets only where the generated PKI
   * lives, other namespaced kinds the example's own namespace; null (cluster-wide) for
   * cluster-scoped kinds.
   */
  static String namespace(HasMetadata example) {
    if ("Secret".equals(example.getKind()) && "v1".equals(example.getApiVersion())) {
      return Names.CONTROL_PLANE_NAMESPACE;
    }
    if (!namespaced(example)) {
      return null;
    }
    String namespace = example.getMetadata() == null ? null : example.getMetadata().getNamespace();
    if (namespace == null) {
      throw new IllegalArgumentException(example.getKind() + " is namespaced: its example needs a namespace");
    }
    return namespace;
  }

  /**
   * Whether the kind of {@code example} is namespaced: typed kinds say so by their class, generic
   * ones (Rook's) by carrying a namespace, as every rendered namespaced object does.
   */
  static boolean namespaced(HasMetadata example) {
    if (example instanceof GenericKubernetesResource) {
      return example.getMetadata() != null && example.getMetadata().getNamespace() != null;
    }
    return example instanceof io.fabric8.kubernetes.api.model.Namespaced;
  }

  /** The HomeCluster an owned object belongs to: its part-of label (HomeClusters are cluster-scoped). */
  static Set<ResourceID> toCluster(HasMetadata object) {
    String cluster = partOf(object);
    return cluster == null ? Set.of() : Set.of(new ResourceID(cluster));
  }

  static String partOf(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels == null ? null : labels.get(Labels.PART_OF);
  }

  private static String key(HasMetadata example) {
    String namespace = namespace(example);
    return example.getApiVersion() + "/" + example.getKind() + (namespace == null ? "" : "@" + namespace);
  }

  /** An event source name: {@code owned-daemonset.apps-v1-kube-system}, {@code owned-clusterrole.rbac...-v1}. */
  static String name(String apiVersion, String kind, String namespace) {
    return ("owned-" + kind + "." + apiVersion + (namespace == null ? "" : "-" + namespace))
        .toLowerCase(java.util.Locale.ROOT).replace('/', '-');
  }
}
