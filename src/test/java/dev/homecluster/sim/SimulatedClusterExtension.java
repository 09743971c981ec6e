package dev.homecluster.sim;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * Starts one test cluster per test run, shared by every class annotated {@link
 * SimulatedClusterTest}: it lives in the root {@link ExtensionContext.Store} and is stopped when
 * the run ends. Each test gets a fresh namespace (its default ServiceAccount already created),
 * deleted after the test.
 *
 * <p>{@code -Dhomecluster.it.cluster=simulated} (default) or {@code k3s}. When the cluster cannot
 * start (no Go toolchain, binaries missing, a component failing), every test fails with that one
 * message; when k3s is asked for and no Docker engine runs, every test is skipped with one.
 */
public final class SimulatedClusterExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  /** System property choosing the cluster: simulated (default) or k3s. */
  public static final String CLUSTER_PROPERTY = "homecluster.it.cluster";

  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(SimulatedClusterExtension.class);
  private static final String NAMESPACE_KEY = "namespace";
  private static final String SKIP_KEY = "skip";

  @Override
  public void beforeAll(ExtensionContext context) {
    try {
      TestCluster cluster = cluster(context);
      boolean rook =
          AnnotationSupport.findAnnotation(
                  context.getRequiredTestClass(), SimulatedClusterTest.class)
              .map(SimulatedClusterTest::rookCrds)
              .orElse(false);
      if (rook && cluster.installRookCrds().isEmpty()) {
        throw new TestAbortedException(
            "the Rook CRDs are not at "
                + CrdInstaller.rookCrdsFile(SimBuild.repoRoot())
                + " (set "
                + CrdInstaller.SHARED_DIR_ENV
                + " to the shared/ folder): tests that need them are skipped");
      }
    } catch (TestAbortedException e) {
      // Aborting here would hide the reason (the class reports 0 tests); each test aborts instead.
      System.err.println("[sim] " + context.getDisplayName() + " skipped: " + e.getMessage());
      context.getStore(STORE).put(SKIP_KEY, e.getMessage());
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    String skip = context.getStore(STORE).get(SKIP_KEY, String.class);
    if (skip != null) {
      throw new TestAbortedException(skip);
    }
    KubernetesClient client = cluster(context).client();
    String name = namespaceName(context);
    Namespace namespace =
        client
            .namespaces()
            .resource(
                new NamespaceBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .addToLabels("homecluster.dev/test", "true")
                    .endMetadata()
                    .build())
            .create();
    // Pods are only admitted once the ServiceAccount controller made the default account.
    client
        .serviceAccounts()
        .inNamespace(name)
        .withName("default")
        .waitUntilCondition(Objects::nonNull, 30, TimeUnit.SECONDS);
    context.getStore(STORE).put(NAMESPACE_KEY, namespace);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Namespace namespace = context.getStore(STORE).remove(NAMESPACE_KEY, Namespace.class);
    if (namespace != null) {
      try {
        cluster(context).client().namespaces().withName(namespace.getMetadata().getName()).delete();
      } catch (KubernetesClientException e) {
        System.err.println(
            "[sim] could not delete namespace " + namespace.getMetadata().getName() + ": " + e);
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubernetesClient.class || type == Namespace.class || type == TestCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    TestCluster cluster = cluster(context);
    if (type == TestCluster.class) {
      return cluster;
    }
    Namespace namespace = context.getStore(STORE).get(NAMESPACE_KEY, Namespace.class);
    if (namespace == null) {
      throw new ParameterResolutionException(
          type.getSimpleName() + " is per test: take it in a test method, not in @BeforeAll");
    }
    if (type == Namespace.class) {
      return namespace;
    }
    return cluster
        .client()
        .adapt(NamespacedKubernetesClient.class)
        .inNamespace(namespace.getMetadata().getName());
  }

  /** The cluster of this test run, started by the first caller. */
  public static TestCluster cluster(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent(Shared.class, k -> new Shared(), Shared.class)
        .get();
  }

  private static String namespaceName(ExtensionContext context) {
    String base =
        context
            .getRequiredTestClass()
            .getSimpleName()
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9]", "");
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    return "it-"
        + base
        + "-"
        + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
  }

  /**
   * The one cluster of the run, or why there is none: the first failure is kept and rethrown to
   * every later class, so a broken setup costs one start attempt and reads as one message.
   */
  static final class Shared implements AutoCloseable {
    private TestCluster cluster;
    private RuntimeException failure;

    synchronized TestCluster get() {
      if (cluster != null) {
        return cluster;
      }
      if (failure instanceof TestAbortedException aborted) {
        throw new TestAbortedException(aborted.getMessage());
      }
      if (failure != null) {
        throw new SimulatedClusterException(failure.getMessage(), failure);
      }
      try {
        String kind = System.getProperty(CLUSTER_PROPERTY, "simulated").trim();
        cluster =
            switch (kind) {
              case "simulated", "" -> SimulatedTestCluster.start();
              case "k3s" -> K3sTestCluster.start();
              default ->
                  throw new SimulatedClusterException(
                      "-D" + CLUSTER_PROPERTY + "=" + kind + ": want simulated or k3s");
            };
        return cluster;
      } catch (RuntimeException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public synchronized void close() {
      if (cluster != null) {
        cluster.close();
        cluster = null;
      }
    }
  }
}
