package dev.homecluster.bootstrap;

import dev.homecluster.pki.IssuedCertificate;
import dev.homecluster.pki.Pem;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A kubeconfig with one cluster, one user authenticated by a client certificate embedded in it, and
 * one current context. It holds a private key (SEC1, {@code EC PRIVATE KEY}, which both kubectl
 * and the fabric8 client read): write it 0600.
 */
public final class Kubeconfig {
  private Kubeconfig() {}

  /**
   * @param clusterName name of the cluster entry (the HomeCluster's name)
   * @param server the apiserver URL, such as {@code https://192.168.1.100:8443}
   * @param caPem the cluster CA certificate
   * @param user name of the user entry
   * @param client the user's client certificate and key
   */
  public static String yaml(
      String clusterName, String server, String caPem, String user, IssuedCertificate client) {
    String context = user + "@" + clusterName;
    Config config =
        new ConfigBuilder()
            .withApiVersion("v1")
            .withKind("Config")
            .addNewCluster()
            .withName(clusterName)
            .withNewCluster()
            .withServer(server)
            .withCertificateAuthorityData(base64(caPem))
            .endCluster()
            .endCluster()
            .addNewUser()
            .withName(user)
            .withNewUser()
            .withClientCertificateData(base64(client.certificatePem()))
            // SEC1, not PKCS#8: the fabric8 client the operator uses reads only this form of an
            // EC key.
            .withClientKeyData(base64(Pem.encodeTraditional(client.privateKey())))
            .endUser()
            .endUser()
            .addNewContext()
            .withName(context)
            .withNewContext()
            .withCluster(clusterName)
            .withUser(user)
            .endContext()
            .endContext()
            .withCurrentContext(context)
            .build();
    return Manifests.toYaml(config);
  }

  /** {@code https://host:port}, with brackets around an IPv6 address. */
  public static String url(String address, int port) {
    return "https://" + hostPort(address, port);
  }

  static String hostPort(String address, int port) {
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
