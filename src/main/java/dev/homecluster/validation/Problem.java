package dev.homecluster.validation;

/**
 * One finding about a spec.
 *
 * @param path the field, as {@code spec.nodes[2].address}
 * @param message what is wrong, in a sentence a user can act on
 * @param severity error or warning
 */
public record Problem(String path, String message, Severity severity) {
  public static Problem error(String path, String message) {
    return new Problem(path, message, Severity.ERROR);
  }

  public static Problem warning(String path, String message) {
    return new Problem(path, message, Severity.WARNING);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  @Override
  public String toString() {
    return (severity == Severity.WARNING ? "warning: " : "") + path + ": " + message;
  }
}
