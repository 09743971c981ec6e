package dev.homecluster.operator;

import dev.homecluster.render.Names;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator, runnable in-process: {@code ./homecluster operator} runs one, and so do the
 * integration tests and the demo.
 *
 * <pre>{@code
 * try (HomeClusterOperator operator =
 *     new HomeClusterOperator(client, OperatorOptions.inProcess()).start()) {
 *   // apply HomeClusters with the client; the operator reconciles them
 * }
 * }</pre>
 *
 * The client stays open when the operator stops: it belongs to the caller.
 */
public final class HomeClusterOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HomeClusterOperator.class);

  private final KubernetesClient client;
  private final OperatorOptions options;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicBoolean informersFailed = new AtomicBoolean();
  private Operator operator;
  private OperatorHttpServer http;
  private boolean stopped;

  public HomeClusterOperator(KubernetesClient client, OperatorOptions options) {
    this.client = client;
    this.options = options;
  }

  /** Registers the reconciler and starts it (or, with leader election, starts competing for the Lease). */
  public synchronized HomeClusterOperator start() {
    if (operator != null || stopped) {
      throw new IllegalStateException("an operator starts once; make a new one to start again");
    }
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withConcurrentReconciliationThreads(options.reconcileThreads())
                  .withConcurrentWorkflowExecutorThreads(1)
                  // JOSDK's apply of the finalizer would send HomeCluster's Java defaults (an
                  // empty node list) and fail the schema: patch the primary the classic way.
                  .withUseSSAToPatchPrimaryResource(false)
                  .withInformerStoppedHandler(
                      (informer, error) -> {
                        if (error == null) {
                          return;
                        }
                        informersFailed.set(true);
                        log.error("informer {} failed for good: {}", informer, error.getMessage(), error);
                        if (options.exitOnFatalError()) {
                          System.exit(1);
                        }
                      });
              if (options.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(options.leaseName())
                        .withLeaseNamespace(options.leaseNamespace())
                        .withIdentity(options.identity())
                        .withExitOnStopLeading(options.exitOnFatalError())
                        .build());
              }
            });
    HomeClusterReconciler reconciler =
        new HomeClusterReconciler(
            options.renderer(), options.generators(), options.clock(), registry, options.identity());
    operator.register(
        reconciler,
        c ->
            c.withFieldManager(Names.OPERATOR)
                .withReconciliationMaxInterval(options.resyncInterval())
                .withRetry(
                    new GenericRetry()
                        .setInitialInterval(Duration.ofSeconds(2))
                        .setIntervalMultiplier(2)
                        .setMaxInterval(Duration.ofMinutes(5).toMillis())
                        .withoutMaxAttempts()));
    if (options.httpPort() >= 0) {
      http = new OperatorHttpServer(options.httpPort(), registry::scrape, this::isHealthy, this::isReady).start();
      log.info("serving /metrics, /healthz and /readyz on port {}", http.port());
    }
    operator.start();
    log.info("operator started (leader election {}, resync every {})",
        options.leaderElection() ? "in " + options.leaseNamespace() + "/" + options.leaseName() : "off",
        options.resyncInterval());
    return this;
  }

  /** Liveness: no informer has failed for good. */
  public boolean isHealthy() {
    return operator != null && !informersFailed.get();
  }

  /** Readiness: started, and every informer watching. */
  public boolean isReady() {
    return operator != null
        && operator.getRuntimeInfo().isStarted()
        && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  /** The Prometheus registry behind /metrics. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The port /metrics listens on, or -1 without an HTTP server. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public synchronized void stop() {
    stopped = true;
    if (operator != null) {
      operator.stop();
      operator = null;
    }
    if (http != null) {
      http.close();
      http = null;
    }
    registry.close();
  }

  @Override
  public void close() {
    stop();
  }
}
