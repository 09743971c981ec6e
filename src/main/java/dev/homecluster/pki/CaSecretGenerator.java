package dev.homecluster.pki;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Names;
import dev.homecluster.secrets.SecretGenerator;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A certificate authority in a Secret ({@code ca.crt}, {@code ca.key}). Created once. Its key is
 * never replaced: when the certificate nears its end ({@link RenewalPolicy#caRenewWindow}) it is
 * re-signed with the same key and subject, so issued leaves stay valid. A CA Secret that cannot be
 * read is never overwritten (every certificate chains to it); the generator throws {@link
 * PkiException} saying so, and a human decides.
 */
public final class CaSecretGenerator implements SecretGenerator {
  public static final CaSecretGenerator CLUSTER =
      new CaSecretGenerator(
          "cluster-ca", Names.CLUSTER_CA_SECRET, ClusterCertificates.CLUSTER_CA_NAME);
  public static final CaSecretGenerator ETCD =
      new CaSecretGenerator("etcd-ca", Names.ETCD_CA_SECRET, ClusterCertificates.ETCD_CA_NAME);
  public static final CaSecretGenerator FRONT_PROXY =
      new CaSecretGenerator(
          "front-proxy-ca", Names.FRONT_PROXY_CA_SECRET, ClusterCertificates.FRONT_PROXY_CA_NAME);

  private final String name;
  private final String secretName;
  private final String commonName;

  public CaSecretGenerator(String name, String secretName, String commonName) {
    this.name = name;
    this.secretName = secretName;
    this.commonName = commonName;
  }

  @Override
  public String name() {
    return name;
  }

  public String secretName() {
    return secretName;
  }

  @Override
  public List<Secret> generate(
      HomeCluster cluster, Map<String, Secret> existing, Instant now, SecureRandom random) {
    RenewalPolicy policy = RenewalPolicy.of(cluster.getSpec().getControlPlane().getCertificates());
    Optional<CertificateAuthority> current = load(existing, secretName);
    if (current.isEmpty()) {
      CertificateAuthority ca =
          CertificateAuthority.create(commonName, now, policy.caValidity(), random);
      return List.of(secret(ca, null, "created"));
    }
    Optional<String> reason = policy.caRenewalReason(current.get(), now);
    if (reason.isEmpty()) {
      return List.of();
    }
    CertificateAuthority renewed = current.get().renew(now, policy.caValidity(), random);
    return List.of(
        secret(renewed, existing.get(secretName), "re-signed with the same key: " + reason.get()));
  }

  /**
   * The CA in a Secret, or empty when the Secret does not exist.
   *
   * @throws PkiException when it exists but is not a usable CA
   */
  public static Optional<CertificateAuthority> load(
      Map<String, Secret> existing, String secretName) {
    Secret secret = existing.get(secretName);
    if (secret == null) {
      return Optional.empty();
    }
    String where = "Secret " + SecretFiles.describe(secretName);
    String cert =
        SecretFiles.read(secret, Names.CA_CERT_KEY)
            .orElseThrow(() -> unusable(where, "has no " + Names.CA_CERT_KEY));
    String key =
        SecretFiles.read(secret, Names.CA_PRIVATE_KEY_KEY)
            .orElseThrow(() -> unusable(where, "has no " + Names.CA_PRIVATE_KEY_KEY));
    try {
      return Optional.of(CertificateAuthority.parse(cert, key));
    } catch (IllegalArgumentException e) {
      throw unusable(where, "is not a usable CA: " + e.getMessage());
    }
  }

  private Secret secret(CertificateAuthority ca, Secret existing, String reason) {
    return SecretFiles.secret(
        secretName,
        SecretFiles.typeOf(existing, SecretFiles.OPAQUE),
        Map.of(
            Names.CA_CERT_KEY, ca.certificatePem(), Names.CA_PRIVATE_KEY_KEY, ca.privateKeyPem()),
        reason);
  }

  private static PkiException unusable(String where, String problem) {
    return new PkiException(
        where
            + " "
            + problem
            + "; it is left as it is. Fix it, or delete it to have a new CA made, which re-issues"
            + " every certificate it signed (clients must then fetch the new ca.crt).");
  }

  @Override
  public String toString() {
    return "CaSecretGenerator[" + secretName + "]";
  }
}
