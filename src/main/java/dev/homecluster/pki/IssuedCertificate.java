package dev.homecluster.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A certificate and its private key. {@link #toString} shows the subject and expiry only, so the
 * key never ends up in a log line.
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey) {
  public IssuedCertificate {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  public String privateKeyPem() {
    return Pem.encode(privateKey);
  }

  /**
   * Parses a PEM certificate and key and checks that they belong together.
   *
   * @throws IllegalArgumentException when either does not parse or they are not a pair
   */
  public static IssuedCertificate parse(String certificatePem, String privateKeyPem) {
    X509Certificate certificate = Pem.certificate(certificatePem);
    PrivateKey key = Pem.privateKey(privateKeyPem);
    if (!EcKeyPairs.matches(certificate.getPublicKey(), key)) {
      throw new IllegalArgumentException("the private key does not belong to the certificate");
    }
    return new IssuedCertificate(certificate, key);
  }

  @Override
  public String toString() {
    return "IssuedCertificate["
        + certificate.getSubjectX500Principal().getName()
        + ", notAfter="
        + certificate.getNotAfter().toInstant()
        + "]";
  }
}
