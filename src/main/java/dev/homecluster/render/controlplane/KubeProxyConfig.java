package dev.homecluster.render.controlplane;

/**
 * kube-proxy's two files: its KubeProxyConfiguration (iptables mode, the pod CIDR so traffic
 * from outside the pod network is masqueraded) and a kubeconfig that reaches the API through
 * the VIP with the pod's ServiceAccount token.
 */
public final class KubeProxyConfig {
  public static final String DIR = "/var/lib/kube-proxy";
  public static final String CONFIG_FILE = "config.conf";
  public static final String KUBECONFIG_FILE = "kubeconfig.conf";
  public static final String MODE = "iptables";

  private KubeProxyConfig() {}

  public static String configuration(String podCidr) {
    return """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        bindAddress: 0.0.0.0
        clientConnection:
          kubeconfig: %s/%s
        clusterCIDR: %s
        mode: %s
        """
        .formatted(DIR, KUBECONFIG_FILE, podCidr, MODE);
  }

  public static String kubeconfig(String serverUrl) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: default
          cluster:
            certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
            server: %s
        contexts:
        - name: default
          context:
            cluster: default
            namespace: default
            user: default
        current-context: default
        users:
        - name: default
          user:
            tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token
        """
        .formatted(serverUrl);
  }
}
