package dev.homecluster.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.secrets.SecretGenerators;
import dev.homecluster.testing.Examples;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExistingSecretsTest {
  @Test
  void knowsEverySecretTheGeneratorsMake() {
    var generated =
        SecretGenerators.generateAll(
            Examples.load(Examples.HOME), Map.of(), Instant.now(), new SecureRandom());

    assertThat(ExistingSecrets.generatedNames())
        .containsExactlyInAnyOrderElementsOf(generated.keySet());
  }
}
