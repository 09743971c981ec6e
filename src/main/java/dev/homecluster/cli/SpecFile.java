package dev.homecluster.cli;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.yaml.Manifests;
import dev.homecluster.yaml.SpecParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the HomeCluster named by {@code -f}; "-" is standard input. */
final class SpecFile {
  private SpecFile() {}

  /** Thrown with a one-line message for the user; the CLI exits 2. */
  static final class UnreadableSpecException extends Exception {
    private final int exitCode;

    UnreadableSpecException(String message, int exitCode) {
      super(message);
      this.exitCode = exitCode;
    }

    /** 2 when the file is missing or not YAML; 1 when it is YAML that is not a valid HomeCluster. */
    int exitCode() {
      return exitCode;
    }
  }

  /** Prints the one-line reason (prefixed for usage errors) and returns the exit code. */
  static int report(java.io.PrintWriter err, UnreadableSpecException e) {
    err.println(e.exitCode() == Main.EXIT_USAGE ? "homecluster: " + e.getMessage() : e.getMessage());
    return e.exitCode();
  }

  static HomeCluster read(String file, InputStream stdin) throws UnreadableSpecException {
    String text;
    try {
      text =
          "-".equals(file)
              ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UnreadableSpecException(file + ": no such file", Main.EXIT_USAGE);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new UnreadableSpecException(file + ": cannot read: " + e.getMessage(), Main.EXIT_USAGE);
    }
    try {
      return Manifests.readHomeCluster(text);
    } catch (SpecParseException e) {
      throw new UnreadableSpecException(
          e.isSyntaxError() ? file + ": " + e.getMessage() : e.getMessage(),
          e.isSyntaxError() ? Main.EXIT_USAGE : Main.EXIT_INVALID);
    }
  }
}
