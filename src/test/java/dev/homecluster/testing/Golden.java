package dev.homecluster.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under src/test/resources/golden. A mismatch fails with a diff; run the test with
 * {@code -Dgolden.update=true} to rewrite the files, then review the change in git.
 */
public final class Golden {
  private Golden() {}

  /** Asserts that {@code actual} equals the golden file {@code golden/<name>}. */
  public static void assertMatches(String name, String actual) {
    Path file = Examples.repoRoot().resolve("src/test/resources/golden").resolve(name);
    try {
      if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
        if (!Boolean.getBoolean("golden.update") && System.getenv("CI") != null) {
          throw new AssertionError("golden file " + file + " is missing; run with -Dgolden.update=true");
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual);
        return;
      }
      assertThat(actual)
          .as("rendered output differs from %s (rerun with -Dgolden.update=true if intended)", file)
          .isEqualTo(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
