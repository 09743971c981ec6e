package dev.homecluster.pki;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import dev.homecluster.secrets.SecretGenerator;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The service-account token signing key pair ({@code sa.key}, {@code sa.pub}; ECDSA P-256, which
 * the apiserver signs as ES256). Made once and never replaced: a new key would invalidate every
 * token in the cluster. An unusable existing Secret raises {@link PkiException}.
 */
public final class ServiceAccountKeySecretGenerator implements SecretGenerator {
  public static final ServiceAccountKeySecretGenerator INSTANCE =
      new ServiceAccountKeySecretGenerator();

  @Override
  public String name() {
    return "service-account-keys";
  }

  @Override
  public List<Secret> generate(
      HomeCluster cluster, Map<String, Secret> existing, Instant now, SecureRandom random) {
    Secret secret = existing.get(Names.SERVICE_ACCOUNT_KEY_SECRET);
    if (secret == null) {
      KeyPair keys = EcKeyPairs.generate(random);
      return List.of(
          SecretFiles.secret(
              Names.SERVICE_ACCOUNT_KEY_SECRET,
              SecretFiles.OPAQUE,
              Map.of(
                  Names.SA_PRIVATE_KEY_KEY, Pem.encode(keys.getPrivate()),
                  Names.SA_PUBLIC_KEY_KEY, Pem.encode(keys.getPublic())),
              "created"));
    }
    check(secret);
    return List.of();
  }

  private static void check(Secret secret) {
    String where = "Secret " + SecretFiles.describe(Names.SERVICE_ACCOUNT_KEY_SECRET);
    try {
      PrivateKey privateKey =
          Pem.privateKey(
              SecretFiles.read(secret, Names.SA_PRIVATE_KEY_KEY)
                  .orElseThrow(
                      () -> new IllegalArgumentException("no " + Names.SA_PRIVATE_KEY_KEY)));
      PublicKey publicKey =
          Pem.publicKey(
              SecretFiles.read(secret, Names.SA_PUBLIC_KEY_KEY)
                  .orElseThrow(
                      () -> new IllegalArgumentException("no " + Names.SA_PUBLIC_KEY_KEY)));
      if (!EcKeyPairs.matches(publicKey, privateKey)) {
        throw new IllegalArgumentException("sa.pub does not belong to sa.key");
      }
    } catch (IllegalArgumentException e) {
      throw new PkiException(
          where
              + " is unusable ("
              + e.getMessage()
              + ") and is left as it is: fix it, or delete it to have a new key pair made, which"
              + " invalidates every service-account token until pods get new ones.");
    }
  }

  @Override
  public String toString() {
    return "ServiceAccountKeySecretGenerator[" + Names.SERVICE_ACCOUNT_KEY_SECRET + "]";
  }
}
