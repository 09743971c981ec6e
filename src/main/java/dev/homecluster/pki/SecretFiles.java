package dev.homecluster.pki;

import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Reading and writing the text files (PEM, YAML) that generated Secrets hold. */
public final class SecretFiles {
  /** Secret type of a certificate with its key in tls.crt and tls.key. */
  public static final String TLS = "kubernetes.io/tls";

  public static final String OPAQUE = "Opaque";

  private SecretFiles() {}

  /**
   * One file of a Secret: from {@code data} (base64, as the API server returns it) or, for Secrets
   * read from YAML files, {@code stringData}. Empty when absent or blank.
   */
  public static Optional<String> read(Secret secret, String key) {
    if (secret == null) {
      return Optional.empty();
    }
    String text = null;
    if (secret.getData() != null && secret.getData().get(key) != null) {
      try {
        text =
            new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    } else if (secret.getStringData() != null) {
      text = secret.getStringData().get(key);
    }
    return text == null || text.isBlank() ? Optional.empty() : Optional.of(text);
  }

  /** Every file of a Secret, by key. */
  public static Map<String, String> readAll(Secret secret) {
    Map<String, String> files = new TreeMap<>();
    if (secret != null && secret.getStringData() != null) {
      files.putAll(secret.getStringData());
    }
    if (secret != null && secret.getData() != null) {
      secret.getData().keySet().forEach(k -> read(secret, k).ifPresent(v -> files.put(k, v)));
    }
    return files;
  }

  /**
   * A Secret in the control-plane namespace holding the files, base64-encoded in {@code data}, with
   * the reason it was written in {@link Names#GENERATED_REASON_ANNOTATION}.
   */
  public static Secret secret(String name, String type, Map<String, String> files, String reason) {
    Map<String, String> data = new TreeMap<>();
    files.forEach(
        (key, text) ->
            data.put(
                key, Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .withAnnotations(Map.of(Names.GENERATED_REASON_ANNOTATION, reason))
        .endMetadata()
        .withType(type)
        .withData(data)
        .build();
  }

  /** The type of an existing Secret (a Secret's type cannot change), or the given one. */
  public static String typeOf(Secret existing, String fallback) {
    return existing != null && existing.getType() != null ? existing.getType() : fallback;
  }

  /** "namespace/name", for messages. */
  public static String describe(String secretName) {
    return Names.CONTROL_PLANE_NAMESPACE + "/" + secretName;
  }
}
