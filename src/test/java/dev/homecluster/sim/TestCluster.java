package dev.homecluster.sim;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The cluster that integration tests of this run talk to: simulated (default) or k3s. */
public interface TestCluster extends AutoCloseable {
  /** "simulated" or "k3s". */
  String kind();

  /** The admin client, shared by all tests; do not close it. */
  KubernetesClient client();

  /** The admin kubeconfig. */
  Path kubeconfig();

  /**
   * The fake Nodes, Ready and managed by kwok, whose pods become Running; empty on a cluster with
   * real kubelets.
   */
  List<FakeNode> fakeNodes();

  /** The simulated cluster itself, when that is the kind. */
  Optional<SimulatedCluster> simulated();

  /** Installs the Rook CRDs once; empty when their file is absent. */
  Optional<List<String>> installRookCrds();

  @Override
  void close();
}
