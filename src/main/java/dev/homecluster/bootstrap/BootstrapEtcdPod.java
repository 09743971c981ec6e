package dev.homecluster.bootstrap;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.pki.ClusterCertificates;
import dev.homecluster.render.Images;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * etcd as a static pod on one master, written by {@code render --bootstrap} for every master so the
 * members form one cluster from the start ({@code --initial-cluster} lists every master, state
 * {@code new}). Client and peer TLS with client-certificate authentication, no auto-TLS, metrics
 * and health on localhost only, data on the host. Once the data directory exists etcd ignores the
 * initial-cluster flags, so the operator's etcd installer can later replace this manifest.
 */
public final class BootstrapEtcdPod {
  public static final int CLIENT_PORT = 2379;
  public static final int PEER_PORT = 2380;
  public static final int METRICS_PORT = 2381;

  private BootstrapEtcdPod() {}

  public static Pod build(String clusterName, HomeClusterSpec spec, NodeSpec master) {
    String address = master.getAddress();
    String dataDir = spec.getControlPlane().getEtcd().getDataDir();
    List<String> command = new ArrayList<>();
    command.add("etcd");
    command.add(StaticPod.flag("name", Names.etcdMemberName(master.getName())));
    command.add(StaticPod.flag("data-dir", dataDir));
    command.add(
        StaticPod.flag(
            "listen-client-urls",
            Kubeconfig.url("127.0.0.1", CLIENT_PORT) + "," + Kubeconfig.url(address, CLIENT_PORT)));
    command.add(StaticPod.flag("advertise-client-urls", Kubeconfig.url(address, CLIENT_PORT)));
    command.add(StaticPod.flag("listen-peer-urls", Kubeconfig.url(address, PEER_PORT)));
    command.add(StaticPod.flag("initial-advertise-peer-urls", Kubeconfig.url(address, PEER_PORT)));
    command.add(StaticPod.flag("initial-cluster", initialCluster(spec)));
    command.add(StaticPod.flag("initial-cluster-state", "new"));
    command.add(StaticPod.flag("initial-cluster-token", clusterName));
    command.add(StaticPod.flag("listen-metrics-urls", "http://127.0.0.1:" + METRICS_PORT));
    command.add(StaticPod.flag("cert-file", HostPaths.ETCD_SERVER_CERT));
    command.add(StaticPod.flag("key-file", HostPaths.ETCD_SERVER_KEY));
    command.add(StaticPod.flag("trusted-ca-file", HostPaths.ETCD_CA_CERT));
    command.add(StaticPod.flag("client-cert-auth", true));
    command.add(StaticPod.flag("peer-cert-file", HostPaths.ETCD_PEER_CERT));
    command.add(StaticPod.flag("peer-key-file", HostPaths.ETCD_PEER_KEY));
    command.add(StaticPod.flag("peer-trusted-ca-file", HostPaths.ETCD_CA_CERT));
    command.add(StaticPod.flag("peer-client-cert-auth", true));
    command.add(StaticPod.flag("snapshot-count", 10000));

    Container container =
        new ContainerBuilder()
            .withName(Names.ETCD)
            .withImage(
                Images.fromRepository(spec, "etcd", spec.getControlPlane().getEtcd().getVersion()))
            .withCommand(command)
            .withLivenessProbe(probe("/livez", 8))
            .withReadinessProbe(probe("/readyz", 3))
            .withStartupProbe(probe("/readyz", 24))
            .withNewResources()
            .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
            .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("100Mi"))
            .endResources()
            .withVolumeMounts(
                StaticPod.mount("etcd-data", dataDir, false),
                StaticPod.mount("etcd-certs", HostPaths.ETCD_PKI, true))
            .build();
    Pod pod =
        StaticPod.of(
            Names.ETCD,
            container,
            List.of(
                StaticPod.hostPath("etcd-data", dataDir, "DirectoryOrCreate"),
                StaticPod.hostPath("etcd-certs", HostPaths.ETCD_PKI, "Directory")));
    return pod;
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

  private static Probe probe(String path, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withHost("127.0.0.1")
        .withPath(path)
        .withPort(new IntOrString(METRICS_PORT))
        .withScheme("HTTP")
        .endHttpGet()
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(15)
        .withFailureThreshold(failureThreshold)
        .build();
  }
}
