package dev.homecluster.pki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import dev.homecluster.secrets.SecretGenerator;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The apiserver's Secret-at-rest encryption ({@code --encryption-provider-config}): an {@code
 * EncryptionConfiguration} that writes Secrets with {@code secretbox} (XSalsa20-Poly1305, a 32-byte
 * random key) and still reads unencrypted ones ({@code identity}, for Secrets written before it was
 * enabled). Made once and never replaced: losing the key loses every Secret. Key rotation is a
 * manual step (docs/bootstrap.md).
 */
public final class EncryptionConfigSecretGenerator implements SecretGenerator {
  public static final EncryptionConfigSecretGenerator INSTANCE =
      new EncryptionConfigSecretGenerator();

  public static final String API_VERSION = "apiserver.config.k8s.io/v1";
  public static final String KIND = "EncryptionConfiguration";
  public static final int KEY_BYTES = 32;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final DateTimeFormatter KEY_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

  @Override
  public String name() {
    return "encryption-config";
  }

  @Override
  public List<Secret> generate(
      HomeCluster cluster, Map<String, Secret> existing, Instant now, SecureRandom random) {
    Secret secret = existing.get(Names.ENCRYPTION_CONFIG_SECRET);
    if (secret == null) {
      return List.of(
          SecretFiles.secret(
              Names.ENCRYPTION_CONFIG_SECRET,
              SecretFiles.OPAQUE,
              Map.of(Names.ENCRYPTION_CONFIG_KEY, configuration(now, random)),
              "created"));
    }
    check(secret);
    return List.of();
  }

  /** A new configuration with a fresh key named after the day it was made. */
  static String configuration(Instant now, SecureRandom random) {
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(key);
    Map<String, Object> secretbox =
        Map.of(
            "keys",
            List.of(
                Map.of(
                    "name",
                    "key-" + KEY_DATE.format(now),
                    "secret",
                    Base64.getEncoder().encodeToString(key))));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("apiVersion", API_VERSION);
    config.put("kind", KIND);
    config.put(
        "resources",
        List.of(
            Map.of(
                "resources", List.of("secrets"),
                "providers",
                    List.of(Map.of("secretbox", secretbox), Map.of("identity", Map.of())))));
    return Manifests.toYaml(config);
  }

  private static void check(Secret secret) {
    String where = "Secret " + SecretFiles.describe(Names.ENCRYPTION_CONFIG_SECRET);
    String text = SecretFiles.read(secret, Names.ENCRYPTION_CONFIG_KEY).orElse(null);
    String problem;
    if (text == null) {
      problem = "has no " + Names.ENCRYPTION_CONFIG_KEY;
    } else {
      try {
        JsonNode tree = YAML.readTree(text);
        problem =
            tree != null && KIND.equals(tree.path("kind").asText())
                ? null
                : Names.ENCRYPTION_CONFIG_KEY + " is not an " + KIND;
      } catch (IOException e) {
        problem = Names.ENCRYPTION_CONFIG_KEY + " is not YAML";
      }
    }
    if (problem != null) {
      throw new PkiException(
          where
              + " "
              + problem
              + "; it is left as it is, because replacing the key would make every Secret"
              + " encrypted with it unreadable. Restore it from a backup.");
    }
  }

  @Override
  public String toString() {
    return "EncryptionConfigSecretGenerator[" + Names.ENCRYPTION_CONFIG_SECRET + "]";
  }
}
