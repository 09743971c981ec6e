package dev.homecluster.testing;

/**
 * Tag of integration tests that assert a target the operator does not meet yet (each is listed
 * with its measured value in docs/performance.md). They are real tests that fail today; the
 * default {@code mvn -B verify} leaves them out so that what works can land, and
 * {@code mvn -B verify -Dit.excludedGroups=} runs them.
 */
public final class KnownGaps {
  public static final String TAG = "known-gap";

  private KnownGaps() {}
}
