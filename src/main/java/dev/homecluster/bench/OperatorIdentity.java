package dev.homecluster.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * The operator's own client identity: a ServiceAccount bound to cluster-admin, and a kubeconfig
 * with a token for it. Its requests then carry the user {@link #USER} in the API server's audit
 * log, apart from the controllers, the scheduler, kwok and the benchmark itself.
 */
public final class OperatorIdentity {
  public static final String NAMESPACE = "homecluster-system";
  public static final String NAME = "homecluster-operator";
  public static final String USER = "system:serviceaccount:" + NAMESPACE + ":" + NAME;

  private OperatorIdentity() {}

  /** Creates the ServiceAccount and binding and writes a kubeconfig for it to {@code file}. */
  public static Path create(KubernetesClient admin, Path adminKubeconfig, Path file) {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
    admin
        .serviceAccounts()
        .inNamespace(NAMESPACE)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(NAME)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .build())
        .serverSideApply();
    admin
        .rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName(NAME + "-bench")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(NAME)
                .withNamespace(NAMESPACE)
                .endSubject()
                .build())
        .serverSideApply();
    TokenRequest request =
        admin
            .serviceAccounts()
            .inNamespace(NAMESPACE)
            .withName(NAME)
            .tokenRequest(
                new TokenRequestBuilder().withNewSpec().withExpirationSeconds(24 * 3600L).endSpec().build());
    String token = request.getStatus().getToken();
    String server = admin.getConfiguration().getMasterUrl().replaceAll("/$", "");
    String ca = caData(admin, adminKubeconfig);
    String kubeconfig =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: sim
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: operator
          context: {cluster: sim, user: %s}
        current-context: operator
        """
            .formatted(server, ca, NAME, token, NAME);
    try {
      Files.writeString(file, kubeconfig);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new BenchException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  private static String caData(KubernetesClient admin, Path adminKubeconfig) {
    String data = admin.getConfiguration().getCaCertData();
    if (data != null && !data.isBlank()) {
      return data;
    }
    try {
      return Base64.getEncoder()
          .encodeToString(Files.readAllBytes(Path.of(admin.getConfiguration().getCaCertFile())));
    } catch (IOException | NullPointerException e) {
      throw new BenchException("no CA in " + adminKubeconfig, e);
    }
  }
}
