package dev.homecluster.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VrrpAuthSecretGeneratorTest {
  private final VrrpAuthSecretGenerator generator = new VrrpAuthSecretGenerator();

  private static String password(Secret secret) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(Names.VRRP_AUTH_PASS_KEY)),
        StandardCharsets.US_ASCII);
  }

  @Test
  void makesAnEightCharacterAlphanumericPasswordInTheControlPlaneNamespace() {
    List<Secret> made =
        generator.generate(Examples.load(Examples.HOME), Map.of(), Instant.EPOCH, new SecureRandom());

    assertThat(made).singleElement().satisfies(secret -> {
      assertThat(secret.getMetadata().getName()).isEqualTo(Names.VRRP_AUTH_SECRET);
      assertThat(secret.getMetadata().getNamespace()).isEqualTo(Names.CONTROL_PLANE_NAMESPACE);
      assertThat(secret.getData()).containsOnlyKeys("auth-pass");
      assertThat(secret.getMetadata().getAnnotations())
          .containsEntry(Names.GENERATED_REASON_ANNOTATION, "created");
      assertThat(password(secret)).hasSize(8).matches("[A-Za-z0-9]{8}");
    });
  }

  @Test
  void neverReplacesAnExistingSecret() {
    Secret existing =
        new SecretBuilder().withNewMetadata().withName(Names.VRRP_AUTH_SECRET).endMetadata().build();

    List<Secret> made =
        generator.generate(
            Examples.load(Examples.HOME),
            Map.of(Names.VRRP_AUTH_SECRET, existing),
            Instant.EPOCH,
            new SecureRandom());

    assertThat(made).isEmpty();
  }

  @Test
  void passwordsDiffer() {
    Set<String> seen = new HashSet<>();
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 50; i++) {
      seen.add(password(generator.generate(Examples.load(Examples.HOME), Map.of(), Instant.EPOCH, random).get(0)));
    }
    assertThat(seen).hasSize(50);
  }

  @Test
  void isRegistered() {
    assertThat(SecretGenerators.ALL).hasAtLeastOneElementOfType(VrrpAuthSecretGenerator.class);
  }
}
