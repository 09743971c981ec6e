package dev.homecluster.bootstrap;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.net.Addresses;
import dev.homecluster.yaml.Manifests;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kubelet's configuration file (KubeletConfiguration) for every machine: static pods from
 * {@code /etc/kubernetes/manifests}, clients authenticated by the cluster CA, authorization by the
 * apiserver, cluster DNS at the tenth service IP (CoreDNS), client certificate rotation.
 */
public final class KubeletConfigFile {
  private KubeletConfigFile() {}

  public static String yaml(HomeClusterSpec spec) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("apiVersion", "kubelet.config.k8s.io/v1beta1");
    config.put("kind", "KubeletConfiguration");
    config.put(
        "authentication",
        Map.of(
            "anonymous", Map.of("enabled", false),
            "webhook", Map.of("enabled", true),
            "x509", Map.of("clientCAFile", HostPaths.CA_CERT)));
    config.put("authorization", Map.of("mode", "Webhook"));
    config.put("cgroupDriver", "systemd");
    config.put("clusterDNS", List.of(Addresses.nth(spec.getNetwork().getServiceCIDR(), 10)));
    config.put("clusterDomain", spec.getNetwork().getClusterDomain());
    config.put("rotateCertificates", true);
    // Serving certificate by a CSR (signer kubernetes.io/kubelet-serving) that the operator
    // approves and kube-controller-manager signs with the cluster CA, so that kube-apiserver
    // verifies the kubelet (--kubelet-certificate-authority). Until then logs and exec fail.
    config.put("serverTLSBootstrap", true);
    config.put("staticPodPath", HostPaths.MANIFESTS);
    return Manifests.toYaml(config);
  }
}
