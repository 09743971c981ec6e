package dev.homecluster.render.controlplane;

import dev.homecluster.testing.Examples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a pod script from src/main/resources with {@code sh}, as the pod would, and waits for it. */
record ScriptRun(int exitCode, String output) {

  static Path script(String name) {
    return Examples.repoRoot().resolve("src/main/resources/dev/homecluster/scripts").resolve(name);
  }

  static ScriptRun run(String script, Map<String, String> env, String... args) {
    Process process = start(script, env, args);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(script + " did not finish within 60s");
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new ScriptRun(process.exitValue(), output);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static Process start(String script, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of("sh", script(script).toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      return builder.start();
    } catch (IOException e) {
      throw new AssertionError("cannot run sh", e);
    }
  }
}
