package dev.homecluster.render.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a pod script, exactly as shipped in the ConfigMap, with {@code sh} on this machine. */
final class ScriptProcess {
  /** What a run left behind. */
  record Result(int exitCode, String output) {
    /** The JSON after the last {@code HOMECLUSTER_RESULT } prefix in the log. */
    String resultLine() {
      String prefix = "HOMECLUSTER_RESULT ";
      List<String> lines = output.lines().filter(l -> l.startsWith(prefix)).toList();
      if (lines.isEmpty()) {
        throw new AssertionError("no result line in:\n" + output);
      }
      return lines.get(lines.size() - 1).substring(prefix.length());
    }
  }

  private ScriptProcess() {}

  static Result run(Path workDir, String script, Map<String, String> env, String... args) {
    return run("sh", workDir, script, env, args);
  }

  /**
   * Runs the script as a pod whose only tools are busybox's (the etcd snapshot pod): busybox's
   * sh, and its applets ahead of everything else on the PATH.
   */
  static Result runWithBusybox(Path workDir, String script, Map<String, String> env, String... args) {
    Path tools = busyboxTools();
    Map<String, String> withPath = new java.util.HashMap<>(env);
    withPath.put("PATH", tools + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return run(tools.resolve("sh").toString(), workDir, script, withPath, args);
  }

  private static Path busyboxTools;

  /** A directory of busybox applet links, made once per test run and removed at exit. */
  private static synchronized Path busyboxTools() {
    if (busyboxTools != null) {
      return busyboxTools;
    }
    Path busybox = requireTool("busybox", "busybox");
    try {
      Path tools = Files.createTempDirectory("busybox-tools");
      Process install = new ProcessBuilder(busybox.toString(), "--install", "-s", tools.toString())
          .redirectErrorStream(true).start();
      install.getInputStream().readAllBytes();
      if (install.waitFor() != 0) {
        throw new AssertionError("busybox --install failed");
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (var links = Files.list(tools)) {
          for (Path link : links.toList()) {
            Files.deleteIfExists(link);
          }
          Files.deleteIfExists(tools);
        } catch (IOException ignored) {
          // A leftover temporary directory of links is harmless.
        }
      }));
      busyboxTools = tools;
      return tools;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Result run(String shell, Path workDir, String script, Map<String, String> env, String... args) {
    try {
      Path file = workDir.resolve(script);
      Files.writeString(file, ScriptConfigMap.text(script));
      List<String> command = new ArrayList<>(List.of(shell, file.toString()));
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      Process process = builder.start();
      // Read before waiting so a chatty script never blocks on a full pipe.
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(script + " did not finish in 120 s:\n" + output);
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Fails the test with a clear message when a tool the script needs is not installed. */
  static Path requireTool(String name, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        name + " is not installed: apt-get install " + debianPackage + " (.ci/run installs it)");
  }
}
