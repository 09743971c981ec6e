package dev.homecluster.operator;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content hash of the generated Secrets, the {@code Names.RUNTIME_SECRETS_HASH} run-time
 * input: workloads that mount them roll when a certificate is renewed, and only then.
 */
public final class RuntimeSecretsHash {
  private RuntimeSecretsHash() {}

  /**
   * SHA-256 over every Secret's namespace, name, and data keys and values, all sorted, so the
   * order the Secrets were listed in does not matter. Lowercase hex.
   */
  public static String of(Collection<Secret> secrets) {
    MessageDigest digest = sha256();
    secrets.stream()
        .sorted(
            Comparator.comparing((Secret s) -> nullToEmpty(s.getMetadata().getNamespace()))
                .thenComparing(s -> s.getMetadata().getName()))
        .forEach(
            secret -> {
              update(digest, nullToEmpty(secret.getMetadata().getNamespace()));
              update(digest, secret.getMetadata().getName());
              Map<String, String> data =
                  new TreeMap<>(secret.getData() == null ? Map.of() : secret.getData());
              if (secret.getStringData() != null) {
                // Not yet applied: the API server would base64 these into data.
                secret
                    .getStringData()
                    .forEach(
                        (k, v) ->
                            data.put(
                                k,
                                java.util.Base64.getEncoder()
                                    .encodeToString(v.getBytes(StandardCharsets.UTF_8))));
              }
              data.forEach(
                  (k, v) -> {
                    update(digest, k);
                    update(digest, v);
                  });
            });
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * The run-time inputs {@code Names.runtimeSecretHash(name)}: each Secret's own hash, by name,
   * whatever its labels say about who wrote it.
   */
  public static Map<String, String> perSecret(Collection<Secret> secrets) {
    Map<String, String> inputs = new TreeMap<>();
    for (Secret secret : secrets) {
      inputs.put(
          dev.homecluster.render.Names.runtimeSecretHash(secret.getMetadata().getName()),
          of(java.util.List.of(secret)));
    }
    return inputs;
  }

  private static void update(MessageDigest digest, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    // Length-prefixed, so ("ab","c") and ("a","bc") differ.
    digest.update(
        new byte[] {
          (byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8),
          (byte) bytes.length
        });
    digest.update(bytes);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
