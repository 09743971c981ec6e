package dev.homecluster.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host command to completion and keeps its output. Output goes through files, not pipes,
 * so a command that leaves a background child holding its stdout never blocks the test.
 */
public final class Cmd {
  private Cmd() {}

  /** Exit code and output of one command. */
  public record Result(int exit, String out, String err) {
    public Result orThrow(String what) {
      if (exit != 0) {
        throw new IllegalStateException(what + " failed (exit " + exit + "): " + err + out);
      }
      return this;
    }
  }

  public static Result run(Duration timeout, String... command) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("cmd", ".out");
      err = Files.createTempFile("cmd", ".err");
      Process process =
          new ProcessBuilder(List.of(command))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        return new Result(
            124,
            Files.readString(out, StandardCharsets.UTF_8),
            "timed out after " + timeout + ": " + String.join(" ", command) + "\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    } finally {
      try {
        if (out != null) {
          Files.deleteIfExists(out);
        }
        if (err != null) {
          Files.deleteIfExists(err);
        }
      } catch (IOException ignored) {
        // a temp file; nothing to do
      }
    }
  }
}
