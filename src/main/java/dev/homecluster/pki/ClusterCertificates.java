package dev.homecluster.pki;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.net.Addresses;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The profile of every leaf certificate a cluster needs, derived from its spec. */
public final class ClusterCertificates {
  public static final String CLUSTER_CA_NAME = "kubernetes-ca";
  public static final String ETCD_CA_NAME = "etcd-ca";
  public static final String FRONT_PROXY_CA_NAME = "front-proxy-ca";

  /** Group with every permission, built into the apiserver (no RBAC binding needed). */
  public static final String MASTERS_GROUP = "system:masters";

  private static final String LOCALHOST = "localhost";
  private static final String LOOPBACK = "127.0.0.1";

  private ClusterCertificates() {}

  /**
   * The apiserver's serving certificate: reachable as the VIP, every master's address and name, the
   * in-cluster {@code kubernetes} Service (names and first service IP) and localhost.
   */
  public static CertificateProfile apiServerServing(HomeClusterSpec spec) {
    String domain = spec.getNetwork().getClusterDomain();
    Set<String> dns = new LinkedHashSet<>();
    dns.add("kubernetes");
    dns.add("kubernetes.default");
    dns.add("kubernetes.default.svc");
    dns.add("kubernetes.default.svc." + domain);
    dns.add(LOCALHOST);
    Set<String> ips = new LinkedHashSet<>();
    ips.add(spec.getControlPlane().getEndpoint().getVip());
    for (NodeSpec master : masters(spec)) {
      dns.add(master.getName());
      ips.add(master.getAddress());
    }
    ips.add(LOOPBACK);
    ips.add(Addresses.nth(spec.getNetwork().getServiceCIDR(), 1));
    return new CertificateProfile(
        "kube-apiserver", List.of(), List.copyOf(dns), List.copyOf(ips), true, false);
  }

  /** The apiserver's client certificate towards etcd. */
  public static CertificateProfile apiServerEtcdClient() {
    return CertificateProfile.client("kube-apiserver-etcd-client");
  }

  /** The apiserver's client certificate towards kubelets (logs, exec, port-forward). */
  public static CertificateProfile apiServerKubeletClient() {
    return CertificateProfile.client("kube-apiserver-kubelet-client", MASTERS_GROUP);
  }

  /** The aggregation layer's client certificate, signed by the front-proxy CA. */
  public static CertificateProfile frontProxyClient() {
    return CertificateProfile.client("front-proxy-client");
  }

  /** etcd client certificate for snapshots and health checks. */
  public static CertificateProfile etcdClient() {
    return CertificateProfile.client("homecluster-etcd-client");
  }

  /** A master's etcd serving certificate (clients connect to it; it also dials as a client). */
  public static CertificateProfile etcdServer(NodeSpec master) {
    return etcdMember(master);
  }

  /** A master's etcd peer certificate (both ends of every peer connection present it). */
  public static CertificateProfile etcdPeer(NodeSpec master) {
    return etcdMember(master);
  }

  /** Cluster administrator, for the admin kubeconfig written by {@code render --bootstrap}. */
  public static CertificateProfile admin() {
    return CertificateProfile.client("kubernetes-admin", MASTERS_GROUP);
  }

  /**
   * kube-controller-manager's client certificate: the API server's default RBAC binds this user
   * (ClusterRoleBinding {@code system:kube-controller-manager}, leader-election and
   * authentication-reader RoleBindings in kube-system), so nothing has to be bound for it.
   */
  public static CertificateProfile controllerManager() {
    return CertificateProfile.client("system:kube-controller-manager");
  }

  /**
   * kube-scheduler's client certificate: bound by default RBAC like {@link #controllerManager()}
   * ({@code system:kube-scheduler}, {@code system:volume-scheduler}).
   */
  public static CertificateProfile scheduler() {
    return CertificateProfile.client("system:kube-scheduler");
  }

  /** A kubelet's client certificate: the Node authorizer knows it by this name and group. */
  public static CertificateProfile kubelet(NodeSpec node) {
    return CertificateProfile.client("system:node:" + node.getName(), "system:nodes");
  }

  /** The masters, in spec order. */
  public static List<NodeSpec> masters(HomeClusterSpec spec) {
    return spec.getNodes().stream().filter(n -> n.has(Role.MASTER)).toList();
  }

  private static CertificateProfile etcdMember(NodeSpec master) {
    Set<String> ips = new LinkedHashSet<>(List.of(master.getAddress(), LOOPBACK));
    return new CertificateProfile(
        master.getName(),
        List.of(),
        List.of(master.getName(), LOCALHOST),
        List.copyOf(ips),
        true,
        true);
  }
}
