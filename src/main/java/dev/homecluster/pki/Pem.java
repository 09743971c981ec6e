package dev.homecluster.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * PEM text of certificates and keys, as Kubernetes components read them: {@code CERTIFICATE},
 * PKCS#8 {@code PRIVATE KEY} (SEC1 {@code EC PRIVATE KEY} in kubeconfigs) and PKIX {@code PUBLIC
 * KEY}. Parsing also accepts the SEC1 and PKCS#1
 * private key forms other tools write.
 */
public final class Pem {
  private Pem() {}

  public static String encode(X509Certificate certificate) {
    return write(certificate);
  }

  public static String encode(PublicKey key) {
    return write(key);
  }

  /** PKCS#8, unencrypted: {@code -----BEGIN PRIVATE KEY-----}. */
  public static String encode(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The traditional OpenSSL form, for an EC key SEC1: {@code -----BEGIN EC PRIVATE KEY-----}.
   * Kubeconfigs carry their key in this form because the fabric8 Kubernetes client (and so the
   * operator started with {@code --kubeconfig}) cannot read a PKCS#8 EC key ("Invalid DER: object
   * is not integer"); kubectl, the kubelet and every Go client read both.
   */
  public static String encodeTraditional(PrivateKey key) {
    if (!(key instanceof ECPrivateKey ec)) {
      return write(key);
    }
    // SEC1 as openssl writes it, with the curve's OID ([0]) and the public key ([1]): fabric8's
    // parser needs the curve named inside the structure, which a conversion of the PKCS#8 form
    // leaves out.
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
      ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
      org.bouncycastle.jce.spec.ECParameterSpec spec =
          org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util.convertSpec(ec.getParams());
      ECPoint publicPoint = spec.getG().multiply(ec.getS()).normalize();
      org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
          new org.bouncycastle.asn1.sec.ECPrivateKey(
              spec.getN().bitLength(), ec.getS(), new DERBitString(publicPoint.getEncoded(false)), curve);
      return write(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The first certificate in the text.
   *
   * @throws IllegalArgumentException when there is none
   */
  public static X509Certificate certificate(String pem) {
    Object object = read(pem);
    if (!(object instanceof X509CertificateHolder holder)) {
      throw new IllegalArgumentException("not a PEM certificate");
    }
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a valid X.509 certificate", e);
    }
  }

  /**
   * The private key in the text (PKCS#8, SEC1 or PKCS#1).
   *
   * @throws IllegalArgumentException when there is none; the message never includes the text
   */
  public static PrivateKey privateKey(String pem) {
    Object object = read(pem);
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (object instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a usable private key", e);
    }
    throw new IllegalArgumentException("not an unencrypted PEM private key");
  }

  /** The public key in the text ({@code PUBLIC KEY}). */
  public static PublicKey publicKey(String pem) {
    Object object = read(pem);
    if (!(object instanceof SubjectPublicKeyInfo info)) {
      throw new IllegalArgumentException("not a PEM public key");
    }
    try {
      return new JcaPEMKeyConverter().getPublicKey(info);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a usable public key", e);
    }
  }

  private static Object read(String pem) {
    if (pem == null || pem.isBlank()) {
      throw new IllegalArgumentException("empty");
    }
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      if (object == null) {
        throw new IllegalArgumentException("no PEM block");
      }
      return object;
    } catch (IOException e) {
      // BouncyCastle's messages may quote the input; do not pass them on.
      throw new IllegalArgumentException("malformed PEM");
    }
  }

  private static String write(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
