package dev.homecluster.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator as its own JVM, started the way the container image starts it: {@code java
 * <image flags> -jar homecluster-operator.jar operator}, with its own kubeconfig (its own user in
 * the API server's audit log) and its log in a file.
 */
public final class OperatorProcess implements AutoCloseable {
  /**
   * The image's JVM flags (the Jib {@code jvmFlags} of pom.xml): serial GC, a heap that starts
   * small and shrinks back, C1 only, small code cache and stacks, no perf data. The image sizes
   * the heap with {@code -XX:MaxRAMPercentage=40} of the container limit (160Mi in the chart);
   * outside a container that would be 40% of this machine, so the same 64 MiB is given as {@code
   * -Xmx64m}.
   */
  public static final List<String> IMAGE_JVM_FLAGS =
      List.of(
          "-XX:+UseSerialGC",
          "-Xmx64m",
          "-Xms16m",
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=30",
          "-XX:TieredStopAtLevel=1",
          "-XX:ReservedCodeCacheSize=32m",
          "-Xss512k",
          "-XX:-UsePerfData",
          "-XX:+ExitOnOutOfMemoryError",
          "-Dfile.encoding=UTF-8");

  /** The image's environment that shapes memory (the Jib {@code environment} of pom.xml). */
  public static final java.util.Map<String, String> IMAGE_ENVIRONMENT = java.util.Map.of("MALLOC_ARENA_MAX", "2");

  /** The operator's log line after each reconcile: "reconciled HomeCluster NAME generation G in T ms". */
  public static final Pattern RECONCILED = Pattern.compile("reconciled HomeCluster (\\S+) generation");

  private final Process process;
  private final long startedNanos;
  private final Path log;
  private final int httpPort;
  private final long logStart;

  private OperatorProcess(Process process, long startedNanos, Path log, int httpPort, long logStart) {
    this.process = process;
    this.logStart = logStart;
    this.startedNanos = startedNanos;
    this.log = log;
    this.httpPort = httpPort;
  }

  /**
   * Starts the operator from {@code jar} against the cluster of {@code kubeconfig}; its output is
   * appended to {@code log}.
   */
  public static OperatorProcess start(
      Path jar, Path kubeconfig, Path log, int httpPort, Duration resync, List<String> extraJvmFlags) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(IMAGE_JVM_FLAGS);
    command.addAll(extraJvmFlags);
    command.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "operator",
            "--http-port",
            String.valueOf(httpPort),
            "--resync",
            resync.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    IMAGE_ENVIRONMENT.forEach(pb.environment()::put);
    try {
      Files.writeString(
          log,
          "--- " + String.join(" ", command) + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      long logStart = Files.size(log);
      long began = System.nanoTime();
      Process process = pb.start();
      return new OperatorProcess(process, began, log, httpPort, logStart);
    } catch (IOException e) {
      throw new BenchException("cannot start the operator from " + jar + ": " + e.getMessage(), e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** When the process was started, System.nanoTime(). */
  public long startedNanos() {
    return startedNanos;
  }

  /** Where this process's lines begin in the log (earlier processes may have written to it). */
  public long logStart() {
    return logStart;
  }

  /** The size of the log now: pass it to {@link #awaitLog} to wait only for later lines. */
  public long logMark() {
    try {
      return Files.size(log);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Waits until a line matching {@code pattern} appears after byte {@code from} of the log and
   * returns System.nanoTime() when it was seen (polled every 5 ms).
   */
  public long awaitLog(Pattern pattern, long from, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String text = readFrom(from);
      Matcher m = pattern.matcher(text);
      if (m.find()) {
        return System.nanoTime();
      }
      if (!process.isAlive()) {
        throw new BenchException(
            "the operator exited (" + process.exitValue() + ") before logging " + pattern + "; see " + log);
      }
      sleep(5);
    }
    throw new BenchException("the operator did not log " + pattern + " within " + timeout + "; see " + log);
  }

  /** How many lines matching {@code pattern} the log holds after byte {@code from}. */
  public int countLog(Pattern pattern, long from) {
    Matcher m = pattern.matcher(readFrom(from));
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private String readFrom(long from) {
    try (var channel = java.nio.channels.FileChannel.open(log)) {
      channel.position(from);
      InputStream in = java.nio.channels.Channels.newInputStream(channel);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Resident set size from /proc/PID/status (VmRSS), in bytes. */
  public long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) * 1024;
        }
      }
    } catch (IOException e) {
      throw new BenchException("cannot read /proc/" + pid() + "/status: " + e.getMessage(), e);
    }
    throw new BenchException("no VmRSS in /proc/" + pid() + "/status");
  }

  /** The sum of jvm_memory_used_bytes{area="heap"} from the operator's /metrics. */
  public long heapUsedBytes() {
    String metrics = metrics();
    Pattern heap = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+]+)$");
    Matcher m = heap.matcher(metrics);
    double sum = 0;
    boolean any = false;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
      any = true;
    }
    if (!any) {
      throw new BenchException("no jvm_memory_used_bytes{area=\"heap\"} in the operator's /metrics");
    }
    return (long) sum;
  }

  /** The operator's /metrics text. */
  public String metrics() {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new BenchException("cannot read the operator's /metrics: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }

  /** Runs {@code jcmd PID GC.run} (a full collection), so that heap and RSS settle. */
  public void fullGc() {
    try {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  String.valueOf(pid()),
                  "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      jcmd.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new BenchException("cannot run jcmd: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** kill -9: no shutdown hook, no cleanup, as when the node loses power. */
  public void kill9() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  private void waitFor(Duration timeout) {
    try {
      process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, as when the pod is deleted; kill -9 after 20 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    waitFor(Duration.ofSeconds(20));
    if (process.isAlive()) {
      kill9();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }
}
