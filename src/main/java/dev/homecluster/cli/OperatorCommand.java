package dev.homecluster.cli;

import dev.homecluster.operator.HomeClusterOperator;
import dev.homecluster.operator.OperatorOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code homecluster operator}: runs the operator against the cluster of the current kubeconfig. */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the operator: reconciles every HomeCluster of the cluster the kubeconfig (or the"
          + " in-cluster service account) points at, until stopped.",
      "Serves /metrics, /healthz and /readyz on --http-port."
    })
public final class OperatorCommand implements Callable<Integer> {
  @Option(
      names = "--leader-election",
      description = "Take a Lease before reconciling, so that several replicas can run. Default: ${DEFAULT-VALUE}.")
  boolean leaderElection;

  @Option(
      names = "--lease-namespace",
      paramLabel = "NS",
      description = "Namespace of the leader Lease. Default: $POD_NAMESPACE or ${DEFAULT-VALUE}.",
      defaultValue = OperatorOptions.DEFAULT_LEASE_NAMESPACE)
  String leaseNamespace;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description = "Port of /metrics, /healthz and /readyz; negative for none. Default: ${DEFAULT-VALUE}.",
      defaultValue = "" + OperatorOptions.DEFAULT_HTTP_PORT)
  int httpPort;

  @Option(
      names = "--resync",
      paramLabel = "DURATION",
      description = "Reconcile every HomeCluster at least this often (ISO-8601, e.g. PT10M). Default: ${DEFAULT-VALUE}.",
      defaultValue = "PT10M")
  Duration resync;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "Kubeconfig of the cluster to manage, such as auth/admin.conf from render --bootstrap."
          + " Default: $KUBECONFIG, ~/.kube/config or the in-cluster service account.")
  java.io.File kubeconfig;

  @Override
  public Integer call() throws InterruptedException {
    String namespace = System.getenv().getOrDefault("POD_NAMESPACE", leaseNamespace);
    String identity = System.getenv().getOrDefault("POD_NAME", hostname());
    OperatorOptions options =
        OperatorOptions.inProcess()
            .withHttpPort(httpPort)
            .withResyncInterval(resync)
            .withExitOnFatalError(true);
    options = leaderElection ? options.withLeaderElection(namespace, identity) : options;
    // The JDK HTTP client: no Vert.x event loops, a smaller footprint for a small operator.
    KubernetesClientBuilder builder = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory());
    if (kubeconfig != null) {
      if (!kubeconfig.isFile()) {
        throw new IllegalArgumentException(kubeconfig + ": no such file");
      }
      builder.withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kubeconfig));
    }
    KubernetesClient client = builder.build();
    HomeClusterOperator operator = new HomeClusterOperator(client, options).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator.stop();
                  client.close();
                  stopped.countDown();
                },
                "operator-shutdown"));
    stopped.await();
    return 0;
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "homecluster-operator";
    }
  }
}
