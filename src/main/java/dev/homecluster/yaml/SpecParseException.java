package dev.homecluster.yaml;

/**
 * The input is not a usable HomeCluster: either not YAML at all ({@link #isSyntaxError()}), or
 * YAML whose fields do not fit the API (an unknown field, a wrong type); the message names the
 * field.
 */
public class SpecParseException extends Exception {
  private final boolean syntaxError;

  public SpecParseException(String message, boolean syntaxError, Throwable cause) {
    super(message, cause);
    this.syntaxError = syntaxError;
  }

  public SpecParseException(String message, boolean syntaxError) {
    this(message, syntaxError, null);
  }

  /** True when the text is not YAML (or empty); false when it is YAML that is not a HomeCluster. */
  public boolean isSyntaxError() {
    return syntaxError;
  }
}
