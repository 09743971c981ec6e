package dev.homecluster.bootstrap;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.pki.ClusterCertificates;
import dev.homecluster.render.Names;
import dev.homecluster.render.controlplane.EtcdStaticPod;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.stream.Collectors;

/**
 * etcd as a static pod on one master, written by {@code render --bootstrap} for every master so the
 * members form one cluster from the start ({@code --initial-cluster} lists every master, state
 * {@code new}, token the cluster's name). It is {@link EtcdStaticPod#forMember}, the manifest the
 * operator's etcd installer writes too, byte for byte: the installer's first run on a
 * bootstrapped master finds nothing to change and restarts no member.
 */
public final class BootstrapEtcdPod {
  public static final int CLIENT_PORT = EtcdStaticPod.CLIENT_PORT;
  public static final int PEER_PORT = EtcdStaticPod.PEER_PORT;
  public static final int METRICS_PORT = EtcdStaticPod.METRICS_PORT;

  private BootstrapEtcdPod() {}

  /**
   * @param memberFiles the contents of the member's {@link EtcdStaticPod#PKI_FILES}, in that
   *     order, exactly as written to the host
   */
  public static Pod build(String clusterName, HomeClusterSpec spec, NodeSpec master, List<String> memberFiles) {
    return EtcdStaticPod.forMember(
        spec, clusterName, master, ClusterCertificates.masters(spec), EtcdStaticPod.memberFilesHash(memberFiles));
  }

  /** {@code name=https://address:2380,...} for every master, in spec order. */
  public static String initialCluster(HomeClusterSpec spec) {
    return ClusterCertificates.masters(spec).stream()
        .map(
            m ->
                Names.etcdMemberName(m.getName()) + "=" + Kubeconfig.url(m.getAddress(), PEER_PORT))
        .collect(Collectors.joining(","));
  }

  /** The client URLs of every master, for the apiserver's {@code --etcd-servers}. */
  public static String clientUrls(HomeClusterSpec spec) {
    return ClusterCertificates.masters(spec).stream()
        .map(m -> Kubeconfig.url(m.getAddress(), CLIENT_PORT))
        .collect(Collectors.joining(","));
  }
}
