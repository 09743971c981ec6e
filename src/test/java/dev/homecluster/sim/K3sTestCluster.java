package dev.homecluster.sim;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same integration tests on a k3s cluster in a container (testcontainers-k3s), selected with
 * {@code -Dhomecluster.it.cluster=k3s}. Needs a Docker engine; without one the tests are skipped
 * with one message. k3s has one real node and no fake ones, so tests of node placement skip.
 */
final class K3sTestCluster implements TestCluster {
  /** System property: the k3s image, default {@value #DEFAULT_IMAGE}. */
  static final String IMAGE_PROPERTY = "homecluster.it.k3s.image";

  static final String DEFAULT_IMAGE = "rancher/k3s:v1.34.1-k3s1";

  private final K3sContainer container;
  private final KubernetesClient client;
  private final Path kubeconfig;
  private final Path repo;
  private Optional<List<String>> rookCrds;

  private K3sTestCluster(K3sContainer container, Path kubeconfig, Path repo) {
    this.container = container;
    this.kubeconfig = kubeconfig;
    this.repo = repo;
    this.client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(container.getKubeConfigYaml()))
            .build();
  }

  static K3sTestCluster start() {
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      docker = false;
    }
    Assumptions.assumeTrue(
        docker,
        "homecluster.it.cluster=k3s needs a Docker engine for testcontainers-k3s and none runs"
            + " here: integration tests skipped (drop the property to use the simulated cluster)");
    Path repo = SimBuild.repoRoot();
    K3sContainer container =
        new K3sContainer(
            DockerImageName.parse(System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE))
                .asCompatibleSubstituteFor("rancher/k3s"));
    container.start();
    try {
      Path kubeconfig = repo.resolve("target/k3s/kubeconfig");
      Files.createDirectories(kubeconfig.getParent());
      Files.writeString(kubeconfig, container.getKubeConfigYaml());
      K3sTestCluster cluster = new K3sTestCluster(container, kubeconfig, repo);
      if (Files.isDirectory(repo.resolve("crds"))) {
        CrdInstaller.installFolder(cluster.client, repo.resolve("crds"));
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      container.stop();
      throw new SimulatedClusterException("k3s started but could not be prepared: " + e, e);
    }
  }

  @Override
  public String kind() {
    return "k3s";
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public Path kubeconfig() {
    return kubeconfig;
  }

  @Override
  public List<FakeNode> fakeNodes() {
    return List.of();
  }

  @Override
  public Optional<SimulatedCluster> simulated() {
    return Optional.empty();
  }

  @Override
  public synchronized Optional<List<String>> installRookCrds() {
    if (rookCrds == null) {
      Path file = CrdInstaller.rookCrdsFile(repo);
      rookCrds =
          Files.isRegularFile(file)
              ? Optional.of(CrdInstaller.installFile(client, file))
              : Optional.empty();
    }
    return rookCrds;
  }

  @Override
  public void close() {
    client.close();
    container.stop();
  }
}
