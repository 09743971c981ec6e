package dev.homecluster.operator;

import dev.homecluster.render.Renderer;
import dev.homecluster.secrets.SecretGenerator;
import dev.homecluster.secrets.SecretGenerators;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@link HomeClusterOperator} runs.
 *
 * @param leaderElection take a Lease before reconciling, so that two replicas can run
 * @param leaseNamespace namespace of the Lease
 * @param leaseName name of the Lease
 * @param identity this replica's name in the Lease (the pod name)
 * @param httpPort port of /metrics, /healthz and /readyz; 0 for any free port, negative for none
 * @param resyncInterval how often every HomeCluster is reconciled without an event
 * @param reconcileThreads concurrent reconciles (one per HomeCluster at a time anyway)
 * @param exitOnFatalError stop the JVM when an informer fails for good or the Lease is lost
 *     (the CLI: let the pod restart); false in-process, where the health endpoint reports a
 *     failed informer and a replica that lost the Lease just stops reconciling
 * @param renderer what HomeClusters become
 * @param generators the run-time Secrets
 * @param clock the time, for conditions, events and certificate expiry
 */
public record OperatorOptions(
    boolean leaderElection,
    String leaseNamespace,
    String leaseName,
    String identity,
    int httpPort,
    Duration resyncInterval,
    int reconcileThreads,
    boolean exitOnFatalError,
    Renderer renderer,
    List<SecretGenerator> generators,
    Clock clock) {

  public static final String DEFAULT_LEASE_NAME = "homecluster-operator-leader";
  public static final String DEFAULT_LEASE_NAMESPACE = "homecluster-system";
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);

  public OperatorOptions {
    Objects.requireNonNull(resyncInterval, "resyncInterval");
    Objects.requireNonNull(renderer, "renderer");
    Objects.requireNonNull(clock, "clock");
    generators = List.copyOf(generators);
    if (reconcileThreads < 1) {
      throw new IllegalArgumentException("reconcileThreads must be at least 1");
    }
  }

  /** In-process defaults: no leader election, no HTTP server, no exit; the default components. */
  public static OperatorOptions inProcess() {
    return new OperatorOptions(
        false,
        DEFAULT_LEASE_NAMESPACE,
        DEFAULT_LEASE_NAME,
        "in-process",
        -1,
        DEFAULT_RESYNC,
        2,
        false,
        new Renderer(),
        SecretGenerators.ALL,
        Clock.systemUTC());
  }

  public OperatorOptions withLeaderElection(String namespace, String identity) {
    return new OperatorOptions(true, namespace, leaseName, identity, httpPort, resyncInterval,
        reconcileThreads, exitOnFatalError, renderer, generators, clock);
  }

  public OperatorOptions withHttpPort(int port) {
    return new OperatorOptions(leaderElection, leaseNamespace, leaseName, identity, port,
        resyncInterval, reconcileThreads, exitOnFatalError, renderer, generators, clock);
  }

  public OperatorOptions withResyncInterval(Duration interval) {
    return new OperatorOptions(leaderElection, leaseNamespace, leaseName, identity, httpPort,
        interval, reconcileThreads, exitOnFatalError, renderer, generators, clock);
  }

  public OperatorOptions withExitOnFatalError(boolean exit) {
    return new OperatorOptions(leaderElection, leaseNamespace, leaseName, identity, httpPort,
        resyncInterval, reconcileThreads, exit, renderer, generators, clock);
  }

  public OperatorOptions withRenderer(Renderer renderer) {
    return new OperatorOptions(leaderElection, leaseNamespace, leaseName, identity, httpPort,
        resyncInterval, reconcileThreads, exitOnFatalError, renderer, generators, clock);
  }

  public OperatorOptions withGenerators(List<SecretGenerator> generators) {
    return new OperatorOptions(leaderElection, leaseNamespace, leaseName, identity, httpPort,
        resyncInterval, reconcileThreads, exitOnFatalError, renderer, generators, clock);
  }
}
