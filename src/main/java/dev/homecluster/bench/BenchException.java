package dev.homecluster.bench;

/** A benchmark step failed; the message says which and where to look. */
public final class BenchException extends RuntimeException {
  public BenchException(String message) {
    super(message);
  }

  public BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
