package dev.homecluster.bootstrap;

/**
 * Where files live on a machine: kubeadm's layout under {@code /etc/kubernetes}, so the temporary
 * control plane, the kubelet and the documentation use one set of paths.
 */
public final class HostPaths {
  public static final String KUBERNETES = "/etc/kubernetes";
  public static final String MANIFESTS = KUBERNETES + "/manifests";
  public static final String PKI = KUBERNETES + "/pki";
  public static final String ETCD_PKI = PKI + "/etcd";

  public static final String CA_CERT = PKI + "/ca.crt";
  public static final String CA_KEY = PKI + "/ca.key";
  public static final String APISERVER_CERT = PKI + "/apiserver.crt";
  public static final String APISERVER_KEY = PKI + "/apiserver.key";
  public static final String APISERVER_KUBELET_CLIENT_CERT = PKI + "/apiserver-kubelet-client.crt";
  public static final String APISERVER_KUBELET_CLIENT_KEY = PKI + "/apiserver-kubelet-client.key";
  public static final String APISERVER_ETCD_CLIENT_CERT = PKI + "/apiserver-etcd-client.crt";
  public static final String APISERVER_ETCD_CLIENT_KEY = PKI + "/apiserver-etcd-client.key";
  public static final String FRONT_PROXY_CA_CERT = PKI + "/front-proxy-ca.crt";
  public static final String FRONT_PROXY_CLIENT_CERT = PKI + "/front-proxy-client.crt";
  public static final String FRONT_PROXY_CLIENT_KEY = PKI + "/front-proxy-client.key";
  public static final String SA_KEY = PKI + "/sa.key";
  public static final String SA_PUB = PKI + "/sa.pub";
  public static final String ENCRYPTION_CONFIG = PKI + "/encryption-config.yaml";

  public static final String ETCD_CA_CERT = ETCD_PKI + "/ca.crt";
  public static final String ETCD_SERVER_CERT = ETCD_PKI + "/server.crt";
  public static final String ETCD_SERVER_KEY = ETCD_PKI + "/server.key";
  public static final String ETCD_PEER_CERT = ETCD_PKI + "/peer.crt";
  public static final String ETCD_PEER_KEY = ETCD_PKI + "/peer.key";
  public static final String ETCD_CLIENT_CERT = ETCD_PKI + "/healthcheck-client.crt";
  public static final String ETCD_CLIENT_KEY = ETCD_PKI + "/healthcheck-client.key";

  public static final String ADMIN_KUBECONFIG = KUBERNETES + "/admin.conf";
  public static final String KUBELET_KUBECONFIG = KUBERNETES + "/kubelet.conf";
  public static final String KUBELET_CONFIG = KUBERNETES + "/kubelet-config.yaml";
  public static final String CONTROLLER_MANAGER_KUBECONFIG =
      KUBERNETES + "/controller-manager.conf";
  public static final String SCHEDULER_KUBECONFIG = KUBERNETES + "/scheduler.conf";

  private HostPaths() {}

  /** The path relative to {@code /}, for placing it under an output directory. */
  public static String relative(String absolute) {
    return absolute.substring(1);
  }
}
