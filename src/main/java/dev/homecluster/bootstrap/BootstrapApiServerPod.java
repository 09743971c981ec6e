package dev.homecluster.bootstrap;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.Images;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;

/**
 * The TEMPORARY kube-apiserver on the first master: it serves only until the self-hosted apiserver
 * DaemonSet runs (docs/bootstrap.md). Same certificates, service-account issuer and keys and
 * encryption config as the self-hosted one, so tokens and encrypted Secrets written during
 * bootstrap stay valid after the hand-over.
 */
public final class BootstrapApiServerPod {
  private BootstrapApiServerPod() {}

  /** The issuer of service-account tokens; the self-hosted apiserver must use the same. */
  public static String serviceAccountIssuer(HomeClusterSpec spec) {
    return "https://kubernetes.default.svc." + spec.getNetwork().getClusterDomain();
  }

  public static Pod build(HomeClusterSpec spec, NodeSpec firstMaster) {
    int port = spec.getControlPlane().getApiServerPort();
    List<String> command =
        List.of(
            "kube-apiserver",
            StaticPod.flag("advertise-address", firstMaster.getAddress()),
            StaticPod.flag(
                "bind-address", firstMaster.getAddress().contains(":") ? "::" : "0.0.0.0"),
            StaticPod.flag("secure-port", port),
            StaticPod.flag("allow-privileged", true),
            StaticPod.flag("anonymous-auth", false),
            StaticPod.flag("authorization-mode", "Node,RBAC"),
            StaticPod.flag("enable-admission-plugins", "NodeRestriction"),
            StaticPod.flag("enable-bootstrap-token-auth", true),
            StaticPod.flag("client-ca-file", HostPaths.CA_CERT),
            StaticPod.flag("tls-cert-file", HostPaths.APISERVER_CERT),
            StaticPod.flag("tls-private-key-file", HostPaths.APISERVER_KEY),
            StaticPod.flag("etcd-servers", BootstrapEtcdPod.clientUrls(spec)),
            StaticPod.flag("etcd-cafile", HostPaths.ETCD_CA_CERT),
            StaticPod.flag("etcd-certfile", HostPaths.APISERVER_ETCD_CLIENT_CERT),
            StaticPod.flag("etcd-keyfile", HostPaths.APISERVER_ETCD_CLIENT_KEY),
            StaticPod.flag("kubelet-client-certificate", HostPaths.APISERVER_KUBELET_CLIENT_CERT),
            StaticPod.flag("kubelet-client-key", HostPaths.APISERVER_KUBELET_CLIENT_KEY),
            StaticPod.flag("kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname"),
            StaticPod.flag("proxy-client-cert-file", HostPaths.FRONT_PROXY_CLIENT_CERT),
            StaticPod.flag("proxy-client-key-file", HostPaths.FRONT_PROXY_CLIENT_KEY),
            StaticPod.flag("requestheader-client-ca-file", HostPaths.FRONT_PROXY_CA_CERT),
            StaticPod.flag("requestheader-allowed-names", "front-proxy-client"),
            StaticPod.flag("requestheader-username-headers", "X-Remote-User"),
            StaticPod.flag("requestheader-group-headers", "X-Remote-Group"),
            StaticPod.flag("requestheader-extra-headers-prefix", "X-Remote-Extra-"),
            StaticPod.flag("service-account-issuer", serviceAccountIssuer(spec)),
            StaticPod.flag("service-account-key-file", HostPaths.SA_PUB),
            StaticPod.flag("service-account-signing-key-file", HostPaths.SA_KEY),
            StaticPod.flag("service-cluster-ip-range", spec.getNetwork().getServiceCIDR()),
            StaticPod.flag("encryption-provider-config", HostPaths.ENCRYPTION_CONFIG));
    Container container =
        new ContainerBuilder()
            .withName(Names.KUBE_APISERVER)
            .withImage(Images.kubernetes(spec, Names.KUBE_APISERVER))
            .withCommand(command)
            // Anonymous requests are off, so an HTTP probe would get 401: probe the socket.
            .withNewLivenessProbe()
            .withNewTcpSocket()
            .withPort(new IntOrString(port))
            .endTcpSocket()
            .withInitialDelaySeconds(15)
            .withPeriodSeconds(10)
            .withFailureThreshold(8)
            .endLivenessProbe()
            .withNewResources()
            .addToRequests("cpu", new Quantity("250m"))
            .endResources()
            .withVolumeMounts(StaticPod.mount("k8s-certs", HostPaths.PKI, true))
            .build();
    return StaticPod.of(
        Names.KUBE_APISERVER,
        container,
        List.of(StaticPod.hostPath("k8s-certs", HostPaths.PKI, "Directory")));
  }
}
