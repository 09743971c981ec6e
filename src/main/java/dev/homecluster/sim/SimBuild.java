package dev.homecluster.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Finds the repository and makes sure the binaries of the simulated cluster are built, by running
 * {@code src/sim/build.sh} at most once per JVM. The script itself builds only what is stale and
 * holds an flock, so parallel JVMs (IDE and Maven) never build at the same time.
 */
public final class SimBuild {
  /** System property: the repository root, when it is not the working folder or above it. */
  public static final String REPO_PROPERTY = "homecluster.repo";

  /**
   * System property: {@code true} when a build step already ran (Maven's pre-integration-test), so
   * only the presence of the binaries is checked.
   */
  public static final String PREBUILT_PROPERTY = "homecluster.sim.prebuilt";

  /** Environment variable: the folder of bin/ and the default cluster state (default repo/.sim). */
  public static final String SIM_DIR_ENV = "HOMECLUSTER_SIM_DIR";

  /** What the launcher needs; build.sh produces them all. */
  static final List<String> BINARIES =
      List.of(
          "etcd",
          "kube-apiserver",
          "kube-controller-manager",
          "kube-scheduler",
          "kwok",
          "simctl",
          "kwok-stages.yaml");

  private static final int GO_MISSING_EXIT = 3;

  private static Path built;
  private static SimulatedClusterException failure;

  private SimBuild() {}

  /**
   * The repository root: {@code -Dhomecluster.repo}, or the first folder up from cwd with src/sim.
   */
  public static Path repoRoot() {
    String configured = System.getProperty(REPO_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      Path repo = Path.of(configured).toAbsolutePath().normalize();
      if (!Files.isRegularFile(repo.resolve("src/sim/build.sh"))) {
        throw new SimulatedClusterException(
            "-D" + REPO_PROPERTY + "=" + configured + " has no src/sim/build.sh");
      }
      return repo;
    }
    Path cwd = Path.of("").toAbsolutePath().normalize();
    for (Path dir = cwd; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("src/sim/build.sh"))) {
        return dir;
      }
    }
    throw new SimulatedClusterException(
        "cannot find the homecluster-operator repository (a folder with src/sim/build.sh) at or"
            + " above "
            + cwd
            + "; run from inside it or set -D"
            + REPO_PROPERTY
            + "=/path/to/repo");
  }

  /** The sim folder: $HOMECLUSTER_SIM_DIR or repo/.sim. */
  public static Path simDir(Path repo) {
    String env = System.getenv(SIM_DIR_ENV);
    return env != null && !env.isBlank() ? Path.of(env).toAbsolutePath() : repo.resolve(".sim");
  }

  /**
   * Builds what is missing or stale (once per JVM) and returns the bin folder. Throws one {@link
   * SimulatedClusterException} saying what is missing when Go or a binary is absent.
   */
  public static synchronized Path ensureBuilt() {
    if (built != null) {
      return built;
    }
    if (failure != null) {
      throw failure;
    }
    try {
      Path repo = repoRoot();
      Path bin = simDir(repo).resolve("bin");
      if (!Boolean.getBoolean(PREBUILT_PROPERTY)) {
        runBuildScript(repo);
      }
      List<String> missing = new ArrayList<>();
      for (String name : BINARIES) {
        if (!Files.isRegularFile(bin.resolve(name))) {
          missing.add(name);
        }
      }
      if (!missing.isEmpty()) {
        throw new SimulatedClusterException(
            "the simulated cluster's binaries "
                + missing
                + " are missing in "
                + bin
                + ": build them with src/sim/build.sh (needs the Go toolchain, go 1.24 or newer)");
      }
      built = bin;
      return bin;
    } catch (SimulatedClusterException e) {
      failure = e;
      throw e;
    }
  }

  private static void runBuildScript(Path repo) {
    Path script = repo.resolve("src/sim/build.sh");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
    pb.directory(repo.toFile());
    Deque<String> lastLines = new ArrayDeque<>();
    int exit;
    try {
      Process process = pb.start();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          System.err.println("[sim build] " + line);
          lastLines.addLast(line);
          if (lastLines.size() > 20) {
            lastLines.removeFirst();
          }
        }
      }
      exit = process.waitFor();
    } catch (IOException e) {
      throw new SimulatedClusterException("cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SimulatedClusterException("interrupted while building the simulated cluster", e);
    }
    if (exit == GO_MISSING_EXIT) {
      throw new SimulatedClusterException(
          "the simulated cluster cannot be built: "
              + String.join(" ", lastLines).replaceFirst("^sim build: ", ""));
    }
    if (exit != 0) {
      throw new SimulatedClusterException(
          "src/sim/build.sh failed (exit "
              + exit
              + "); its last lines:\n  "
              + String.join("\n  ", lastLines));
    }
  }
}
