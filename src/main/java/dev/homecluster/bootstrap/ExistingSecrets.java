package dev.homecluster.bootstrap;

import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Secrets kept from an earlier bootstrap or exported from a running cluster, to rebuild a cluster
 * with the same CAs, service-account keys and encryption key: the {@code secrets/} directory that
 * {@code render --bootstrap} wrote, or a file from {@code kubectl get secret -o yaml} (a List or
 * multi-document YAML). Only the generated Secrets in {@link Names#CONTROL_PLANE_NAMESPACE} are
 * taken; anything else is ignored.
 */
public final class ExistingSecrets {
  private ExistingSecrets() {}

  /** Thrown with a one-line message for the user. */
  public static final class UnreadableSecretsException extends Exception {
    UnreadableSecretsException(String message) {
      super(message);
    }
  }

  public static Map<String, Secret> read(Path path) throws UnreadableSecretsException {
    List<Path> files = new ArrayList<>();
    try {
      if (Files.isDirectory(path)) {
        try (Stream<Path> list = Files.list(path)) {
          list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .forEach(files::add);
        }
      } else if (Files.isRegularFile(path)) {
        files.add(path);
      } else {
        throw new UnreadableSecretsException(path + ": no such file or directory");
      }
      Map<String, Secret> secrets = new TreeMap<>();
      for (Path file : files) {
        for (String document :
            Files.readString(file, StandardCharsets.UTF_8).split("(?m)^---\\s*$")) {
          if (!document.isBlank()) {
            collect(parse(file, document), secrets);
          }
        }
      }
      return secrets;
    } catch (IOException e) {
      throw new UnreadableSecretsException(path + ": cannot read: " + e.getMessage());
    }
  }

  private static KubernetesResource parse(Path file, String document)
      throws UnreadableSecretsException {
    try {
      return Serialization.unmarshal(document, KubernetesResource.class);
    } catch (RuntimeException e) {
      // The message could quote the document, which may hold keys: name the file only.
      throw new UnreadableSecretsException(file + ": not a Kubernetes object or List in YAML");
    }
  }

  private static void collect(KubernetesResource resource, Map<String, Secret> into) {
    if (resource instanceof KubernetesList list) {
      list.getItems().forEach(item -> collect(item, into));
    } else if (resource instanceof Secret secret
        && secret.getMetadata() != null
        && generatedNames().contains(secret.getMetadata().getName())
        && (secret.getMetadata().getNamespace() == null
            || Names.CONTROL_PLANE_NAMESPACE.equals(secret.getMetadata().getNamespace()))) {
      into.put(secret.getMetadata().getName(), secret);
    }
  }

  /** The names of the Secrets the generators make (a test keeps it complete). */
  static List<String> generatedNames() {
    return List.of(
        Names.CLUSTER_CA_SECRET,
        Names.ETCD_CA_SECRET,
        Names.FRONT_PROXY_CA_SECRET,
        Names.SERVICE_ACCOUNT_KEY_SECRET,
        Names.ENCRYPTION_CONFIG_SECRET,
        Names.APISERVER_SERVING_SECRET,
        Names.APISERVER_KUBELET_CLIENT_SECRET,
        Names.APISERVER_ETCD_CLIENT_SECRET,
        Names.FRONT_PROXY_CLIENT_SECRET,
        Names.CONTROLLER_MANAGER_CLIENT_SECRET,
        Names.SCHEDULER_CLIENT_SECRET,
        Names.ETCD_CLIENT_SECRET,
        Names.ETCD_MEMBERS_SECRET,
        Names.VRRP_AUTH_SECRET);
  }
}
