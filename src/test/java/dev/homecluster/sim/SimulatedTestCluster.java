package dev.homecluster.sim;

import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The default test cluster: a {@link SimulatedCluster} in target/simulated-cluster with the CRDs of
 * crds/ and one fake node per machine of manifests/examples/home.yaml.
 */
final class SimulatedTestCluster implements TestCluster {
  private final SimulatedCluster sim;
  private final List<FakeNode> nodes;
  private Optional<List<String>> rookCrds;

  private SimulatedTestCluster(SimulatedCluster sim, List<FakeNode> nodes) {
    this.sim = sim;
    this.nodes = nodes;
  }

  static SimulatedTestCluster start() {
    Path repo = SimBuild.repoRoot();
    List<FakeNode> nodes =
        Examples.load(Examples.HOME).getSpec().getNodes().stream().map(FakeNode::from).toList();
    SimulatedCluster sim = SimulatedCluster.start(repo.resolve("target/simulated-cluster"));
    try {
      if (Files.isDirectory(repo.resolve("crds"))) {
        sim.installCrds();
      }
      sim.createNodes(nodes);
    } catch (RuntimeException e) {
      sim.close();
      throw e;
    }
    System.err.printf(
        "[sim] simulated cluster ready in %.1fs: %d fake nodes, kubeconfig %s%n",
        sim.startTime().toMillis() / 1000.0, nodes.size(), sim.kubeconfig());
    return new SimulatedTestCluster(sim, nodes);
  }

  @Override
  public String kind() {
    return "simulated";
  }

  @Override
  public KubernetesClient client() {
    return sim.client();
  }

  @Override
  public Path kubeconfig() {
    return sim.kubeconfig();
  }

  @Override
  public List<FakeNode> fakeNodes() {
    return nodes;
  }

  @Override
  public Optional<SimulatedCluster> simulated() {
    return Optional.of(sim);
  }

  @Override
  public synchronized Optional<List<String>> installRookCrds() {
    if (rookCrds == null) {
      rookCrds = sim.installRookCrds();
    }
    return rookCrds;
  }

  @Override
  public void close() {
    sim.close();
  }
}
