package dev.homecluster.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate authority and the leaves it issues.
 *
 * <p>Policy: the CA's key is made once and kept. {@link #renew} re-signs the CA certificate with
 * the same key and subject, so every leaf it issued keeps verifying; only clients that pinned the
 * old {@code ca.crt} need the new one before the old one expires. A CA with a new key exists only
 * when its Secret was deleted, and then every leaf it signed is re-issued because it no longer
 * verifies.
 *
 * <p>{@link #toString} never includes the key.
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey privateKey) {
  /** Leaves start this long before {@code now}, so machines with a slow clock accept them. */
  public static final Duration BACKDATE = Duration.ofMinutes(5);

  public CertificateAuthority {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** A new CA with a new key. */
  public static CertificateAuthority create(
      String commonName, Instant now, Duration validity, SecureRandom random) {
    KeyPair keys = EcKeyPairs.generate(random);
    X500Name subject = name(commonName, List.of());
    return new CertificateAuthority(
        selfSign(subject, keys.getPublic(), keys.getPrivate(), now, validity, random),
        keys.getPrivate());
  }

  /**
   * Parses a CA from PEM and checks it: a CA certificate, and the key belongs to it.
   *
   * @throws IllegalArgumentException naming what is wrong (never quoting the key)
   */
  public static CertificateAuthority parse(String certificatePem, String privateKeyPem) {
    IssuedCertificate pair = IssuedCertificate.parse(certificatePem, privateKeyPem);
    if (pair.certificate().getBasicConstraints() < 0) {
      throw new IllegalArgumentException("the certificate is not a CA (basicConstraints CA:false)");
    }
    return new CertificateAuthority(pair.certificate(), pair.privateKey());
  }

  /** The same CA (key and subject) with a fresh validity period. */
  public CertificateAuthority renew(Instant now, Duration validity, SecureRandom random) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    return new CertificateAuthority(
        selfSign(subject, certificate.getPublicKey(), privateKey, now, validity, random),
        privateKey);
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  public String privateKeyPem() {
    return Pem.encode(privateKey);
  }

  /**
   * Issues a leaf with a new key. It starts {@link #BACKDATE} before {@code now} and never outlives
   * this CA.
   */
  public IssuedCertificate issue(
      CertificateProfile profile, Instant now, Duration validity, SecureRandom random) {
    KeyPair keys = EcKeyPairs.generate(random);
    Instant notBefore = now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = now.plus(validity).truncatedTo(ChronoUnit.SECONDS);
    Instant caNotAfter = certificate.getNotAfter().toInstant();
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
    }
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              certificate,
              serial(random),
              Date.from(notBefore),
              Date.from(notAfter),
              name(profile.commonName(), profile.organizations()),
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, extendedKeyUsage(profile));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(certificate.getPublicKey()));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(keys.getPublic()));
      GeneralNames sans = subjectAlternativeNames(profile);
      if (sans != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, sans);
      }
      return new IssuedCertificate(sign(builder, privateKey, random), keys.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue " + profile.subject(), e);
    }
  }

  /** True when this CA signed the certificate: issuer name and signature both match. */
  public boolean signed(X509Certificate leaf) {
    if (!leaf.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())) {
      return false;
    }
    try {
      leaf.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "CertificateAuthority["
        + certificate.getSubjectX500Principal().getName()
        + ", notAfter="
        + certificate.getNotAfter().toInstant()
        + "]";
  }

  private static X509Certificate selfSign(
      X500Name subject,
      PublicKey publicKey,
      PrivateKey privateKey,
      Instant now,
      Duration validity,
      SecureRandom random) {
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              serial(random),
              Date.from(now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS)),
              Date.from(now.plus(validity).truncatedTo(ChronoUnit.SECONDS)),
              subject,
              publicKey);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
      return sign(builder, privateKey, random);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot sign a CA certificate", e);
    }
  }

  private static X509Certificate sign(
      X509v3CertificateBuilder builder, PrivateKey signer, SecureRandom random)
      throws CertificateException {
    try {
      ContentSigner contentSigner =
          new JcaContentSignerBuilder(EcKeyPairs.SIGNATURE_ALGORITHM)
              .setSecureRandom(random)
              .build(signer);
      return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot create a signer for " + signer.getAlgorithm(), e);
    }
  }

  /** A positive 127-bit serial: unique without coordination, within RFC 5280's 20 octets. */
  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }

  private static X500Name name(String commonName, List<String> organizations) {
    X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
    organizations.forEach(o -> name.addRDN(BCStyle.O, o));
    name.addRDN(BCStyle.CN, commonName);
    return name.build();
  }

  private static ExtendedKeyUsage extendedKeyUsage(CertificateProfile profile) {
    List<KeyPurposeId> purposes = new ArrayList<>();
    if (profile.serverAuth()) {
      purposes.add(KeyPurposeId.id_kp_serverAuth);
    }
    if (profile.clientAuth()) {
      purposes.add(KeyPurposeId.id_kp_clientAuth);
    }
    return new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new));
  }

  private static GeneralNames subjectAlternativeNames(CertificateProfile profile) {
    List<GeneralName> names = new ArrayList<>();
    profile.dnsNames().forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    profile.ipAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return names.isEmpty() ? null : new GeneralNames(names.toArray(GeneralName[]::new));
  }
}
