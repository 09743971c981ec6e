package dev.homecluster.render.backup;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA issuing the etcd serving and client certificates of a test, as PEM files. */
final class TestCertificates {
  private final KeyPair caKeys;
  private final X509Certificate ca;
  private long serial = 1;

  TestCertificates(String caName) {
    caKeys = keyPair();
    ca = sign(new X500Name("CN=" + caName), caKeys, new X500Name("CN=" + caName), caKeys, true, null);
  }

  /** Writes the CA certificate. */
  void writeCa(Path file) {
    writePem(file, ca);
  }

  /** Writes a serving certificate for 127.0.0.1 and its key. */
  void writeServer(Path cert, Path key) {
    KeyPair keys = keyPair();
    writePem(cert, sign(new X500Name("CN=etcd"), keys, new X500Name(ca.getSubjectX500Principal().getName()), caKeys, false, KeyPurposeId.id_kp_serverAuth));
    writePem(key, pkcs8(keys));
  }

  /** Writes a client certificate and its key. */
  void writeClient(Path cert, Path key) {
    KeyPair keys = keyPair();
    writePem(cert, sign(new X500Name("CN=homecluster-etcd-client"), keys, new X500Name(ca.getSubjectX500Principal().getName()), caKeys, false, KeyPurposeId.id_kp_clientAuth));
    writePem(key, pkcs8(keys));
  }

  private X509Certificate sign(
      X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys, boolean isCa, KeyPurposeId usage) {
    try {
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              BigInteger.valueOf(serial++),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(1))),
              subject,
              subjectKeys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      if (isCa) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")
            }));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object pkcs8(KeyPair keys) {
    try {
      return new JcaPKCS8Generator(keys.getPrivate(), null);
    } catch (PemGenerationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writePem(Path file, Object object) {
    try {
      StringWriter text = new StringWriter();
      try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
        pem.writeObject(object);
      }
      Files.writeString(file, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
