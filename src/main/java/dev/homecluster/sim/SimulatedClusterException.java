package dev.homecluster.sim;

/**
 * The simulated cluster could not be built, started or used. The message says what is missing and
 * how to fix it, in one paragraph.
 */
public class SimulatedClusterException extends RuntimeException {
  public SimulatedClusterException(String message) {
    super(message);
  }

  public SimulatedClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
