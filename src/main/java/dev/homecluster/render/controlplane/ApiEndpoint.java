package dev.homecluster.render.controlplane;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.List;

/**
 * The virtual IP and port in front of the apiservers, as control-plane clients reach it.
 *
 * <p>Host-network clients (controller-manager, scheduler, flannel, kube-proxy, checkpointer) go
 * to the VIP directly rather than to the {@code kubernetes} Service IP: after a power cycle the
 * Service IP only works once kube-proxy has programmed the node, and kube-proxy itself needs the
 * API first.
 */
record ApiEndpoint(String host, int port) {

  static ApiEndpoint of(HomeClusterSpec spec) {
    return new ApiEndpoint(
        spec.getControlPlane().getEndpoint().getVip(),
        spec.getControlPlane().getEndpoint().getPort());
  }

  /** {@code https://<vip>:<port>}, with an IPv6 VIP in brackets. */
  String url() {
    return "https://" + UrlHost.of(host) + ":" + port;
  }

  /**
   * Overrides the Service IP that in-cluster clients (client-go's rest.InClusterConfig) read
   * from the environment, so they talk to the VIP.
   */
  List<EnvVar> inClusterEnv() {
    return List.of(
        new EnvVarBuilder().withName("KUBERNETES_SERVICE_HOST").withValue(host).build(),
        new EnvVarBuilder().withName("KUBERNETES_SERVICE_PORT").withValue(String.valueOf(port)).build());
  }
}
