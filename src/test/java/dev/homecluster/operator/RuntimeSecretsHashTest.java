package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuntimeSecretsHashTest {

  private static Secret secret(String name, String key, String value) {
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace("kube-system")
        .withName(name)
        .endMetadata()
        .addToData(key, value)
        .build();
  }

  @Test
  void perSecretHashesEachSecretByNameWhateverItsLabelsSay() {
    Secret fromBootstrap = secret("homecluster-ca", "ca.crt", "QUFB");
    fromBootstrap.getMetadata().setLabels(java.util.Map.of("app.kubernetes.io/component", "pki"));
    Secret fromGenerator = secret("homecluster-ca", "ca.crt", "QUFB");
    fromGenerator.getMetadata().setLabels(java.util.Map.of("app.kubernetes.io/component", "cluster-ca"));

    assertThat(RuntimeSecretsHash.perSecret(List.of(fromBootstrap)))
        .isEqualTo(RuntimeSecretsHash.perSecret(List.of(fromGenerator)))
        .containsEntry("secret-hash/homecluster-ca", RuntimeSecretsHash.of(List.of(fromBootstrap)));
    assertThat(RuntimeSecretsHash.perSecret(List.of(fromBootstrap, secret("other", "k", "dg=="))))
        .hasSize(2)
        .doesNotContainValue(RuntimeSecretsHash.of(List.of()));
  }

  @Test
  void doesNotDependOnListOrder() {
    Secret a = secret("a", "ca.crt", "QUFB");
    Secret b = secret("b", "tls.crt", "QkJC");
    assertThat(RuntimeSecretsHash.of(List.of(a, b))).isEqualTo(RuntimeSecretsHash.of(List.of(b, a)));
  }

  @Test
  void changesWhenACertificateIsRenewed() {
    String before = RuntimeSecretsHash.of(List.of(secret("a", "ca.crt", "QUFB")));
    String after = RuntimeSecretsHash.of(List.of(secret("a", "ca.crt", "QUFC")));
    assertThat(after).isNotEqualTo(before).hasSize(64);
  }

  @Test
  void stringDataHashesLikeTheDataItBecomes() {
    Secret applied = secret("a", "auth-pass", "c2VjcmV0");
    Secret pending =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace("kube-system")
            .withName("a")
            .endMetadata()
            .addToStringData("auth-pass", "secret")
            .build();
    assertThat(RuntimeSecretsHash.of(List.of(pending))).isEqualTo(RuntimeSecretsHash.of(List.of(applied)));
  }
}
