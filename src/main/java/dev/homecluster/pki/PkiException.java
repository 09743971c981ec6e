package dev.homecluster.pki;

/**
 * A generated Secret exists but cannot be used, and replacing it would destroy something that
 * cannot be recreated (a CA every certificate chains to, the service-account key, the encryption
 * key). The message names the Secret and key and says what a human can do; it never contains key
 * material.
 */
public final class PkiException extends RuntimeException {
  public PkiException(String message) {
    super(message);
  }

  public PkiException(String message, Throwable cause) {
    super(message, cause);
  }
}
