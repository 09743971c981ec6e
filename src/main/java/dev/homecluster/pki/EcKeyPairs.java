package dev.homecluster.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/**
 * ECDSA P-256 key pairs: every key the operator makes. etcd, every Kubernetes component and the
 * service-account token signer (ES256) accept them, and they are quick to generate on small boards.
 */
public final class EcKeyPairs {
  public static final String CURVE = "secp256r1";
  public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

  private EcKeyPairs() {}

  public static KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(CURVE), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM cannot generate " + CURVE + " keys", e);
    }
  }

  /**
   * True when the private key belongs to the public key: a signature made with one verifies with
   * the other. Works for any key algorithm the JVM knows.
   */
  public static boolean matches(PublicKey publicKey, PrivateKey privateKey) {
    if (!publicKey.getAlgorithm().equals(privateKey.getAlgorithm())) {
      return false;
    }
    String algorithm =
        switch (publicKey.getAlgorithm()) {
          case "EC" -> SIGNATURE_ALGORITHM;
          case "RSA" -> "SHA256withRSA";
          case "Ed25519" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return false;
    }
    try {
      byte[] probe = "homecluster key pair check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
