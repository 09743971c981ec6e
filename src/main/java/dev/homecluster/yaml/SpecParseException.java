package dev.homecluster.yaml;

/** The input is not a HomeCluster: bad YAML, a wrong type, or an unknown field. */
public class SpecParseException extends Exception {
  public SpecParseException(String message, Throwable cause) {
    super(message, cause);
  }

  public SpecParseException(String message) {
    super(message);
  }
}
