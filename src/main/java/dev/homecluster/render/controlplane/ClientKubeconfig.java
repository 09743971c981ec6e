package dev.homecluster.render.controlplane;

import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import java.util.List;

/**
 * How kube-controller-manager and kube-scheduler reach the API, as kubeadm does it: with a client
 * certificate whose common name is the user Kubernetes' default RBAC already binds ({@code
 * system:kube-controller-manager}, {@code system:kube-scheduler}), so the operator binds nothing
 * for them.
 *
 * <p>The kubeconfig is rendered into a ConfigMap and names files only: the cluster CA, and the
 * certificate and key the pod mounts from its generated Secret into {@value #PKI_DIR}. It goes to
 * the VIP (see {@link ApiEndpoint}).
 *
 * @param configMap name of the ConfigMap holding the kubeconfig
 * @param user the certificate's common name, also the kubeconfig's user entry
 * @param secret the generated Secret with the client certificate ({@code tls.crt}, {@code tls.key})
 * @param filePrefix the certificate's and key's file name in {@value #PKI_DIR}, without extension
 */
record ClientKubeconfig(String configMap, String user, String secret, String filePrefix) {
  static final String PKI_DIR = "/etc/kubernetes/pki";
  static final String DIR = "/etc/kubernetes/kubeconfig";
  static final String FILE = "kubeconfig.conf";
  static final String VOLUME = "kubeconfig";

  static final ClientKubeconfig CONTROLLER_MANAGER =
      new ClientKubeconfig(
          Names.CONTROLLER_MANAGER_KUBECONFIG,
          "system:kube-controller-manager",
          Names.CONTROLLER_MANAGER_CLIENT_SECRET,
          "controller-manager-client");
  static final ClientKubeconfig SCHEDULER =
      new ClientKubeconfig(
          Names.SCHEDULER_KUBECONFIG,
          "system:kube-scheduler",
          Names.SCHEDULER_CLIENT_SECRET,
          "scheduler-client");

  /** Where the pod reads its kubeconfig: the value of its three kubeconfig flags. */
  String path() {
    return DIR + "/" + FILE;
  }

  String certFile() {
    return PKI_DIR + "/" + filePrefix + ".crt";
  }

  String keyFile() {
    return PKI_DIR + "/" + filePrefix + ".key";
  }

  /** {@code --kubeconfig}, {@code --authentication-kubeconfig}, {@code --authorization-kubeconfig}. */
  List<String> flags() {
    return List.of(
        "--kubeconfig=" + path(),
        "--authentication-kubeconfig=" + path(),
        "--authorization-kubeconfig=" + path());
  }

  String yaml(RenderContext ctx) {
    String cluster = ctx.clusterName();
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            certificate-authority: %2$s/ca.crt
            server: %3$s
        contexts:
        - name: %4$s@%1$s
          context:
            cluster: %1$s
            user: %4$s
        current-context: %4$s@%1$s
        users:
        - name: %4$s
          user:
            client-certificate: %5$s
            client-key: %6$s
        """
        .formatted(cluster, PKI_DIR, ApiEndpoint.of(ctx.spec()).url(), user, certFile(), keyFile());
  }

  ConfigMap configMap(RenderContext ctx) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(configMap)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .addToData(FILE, yaml(ctx))
        .build();
  }

  /** The client certificate and key, for the pod's projected {@value #PKI_DIR} volume. */
  VolumeProjection certificate() {
    return new VolumeProjectionBuilder()
        .withNewSecret()
        .withName(secret)
        .withItems(
            new KeyToPathBuilder().withKey(Names.TLS_CERT_KEY).withPath(filePrefix + ".crt").build(),
            new KeyToPathBuilder().withKey(Names.TLS_PRIVATE_KEY_KEY).withPath(filePrefix + ".key").build())
        .endSecret()
        .build();
  }

  Volume volume() {
    return new VolumeBuilder()
        .withName(VOLUME)
        .withNewConfigMap()
        .withName(configMap)
        .endConfigMap()
        .build();
  }

  VolumeMount volumeMount() {
    return new VolumeMountBuilder().withName(VOLUME).withMountPath(DIR).withReadOnly(true).build();
  }
}
