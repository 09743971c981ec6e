package dev.homecluster.secrets;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The VRRP password of the endpoint's keepalived: 8 letters and digits (keepalived uses no more),
 * made once and never replaced, since every master must use the same one. It only keeps other VRRP
 * routers on the home network from joining by mistake: VRRP sends it in clear text.
 */
public final class VrrpAuthSecretGenerator implements SecretGenerator {
  public static final VrrpAuthSecretGenerator INSTANCE = new VrrpAuthSecretGenerator();

  public static final int LENGTH = 8;

  /** Letters and digits only: keepalived's parser treats '#', '!', '$', quotes and spaces specially. */
  static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  @Override
  public String name() {
    return "vrrp-auth";
  }

  @Override
  public List<Secret> generate(
      HomeCluster cluster, Map<String, Secret> existing, Instant now, SecureRandom random) {
    if (existing.containsKey(Names.VRRP_AUTH_SECRET)) {
      return List.of();
    }
    StringBuilder password = new StringBuilder(LENGTH);
    for (int i = 0; i < LENGTH; i++) {
      password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    String encoded =
        Base64.getEncoder().encodeToString(password.toString().getBytes(StandardCharsets.US_ASCII));
    return List.of(
        new SecretBuilder()
            .withNewMetadata()
            .withName(Names.VRRP_AUTH_SECRET)
            .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
            .withAnnotations(Map.of(Names.GENERATED_REASON_ANNOTATION, "created"))
            .endMetadata()
            .withType("Opaque")
            .withData(Map.of(Names.VRRP_AUTH_PASS_KEY, encoded))
            .build());
  }
}
