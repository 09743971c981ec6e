package dev.homecluster.cli;

import dev.homecluster.bench.Bench;
import dev.homecluster.bench.BenchException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code homecluster bench}: the operator measured against the floor on simulated clusters. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures the operator on fresh simulated clusters (needs the Go toolchain or built sim"
          + " binaries, and kubectl): convergence against the floor (server-side apply of render's"
          + " output), steady-state writes, drift repair, footprint, start-up, faults and scale.",
      "Prints a table and writes JSON to --out. Takes about 30 minutes with the defaults on 2 cores."
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--jar", paramLabel = "JAR", description = "The operator jar, run as its own JVM. Default: ${DEFAULT-VALUE}.",
      defaultValue = "target/homecluster-operator.jar")
  Path jar;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The HomeCluster to converge. Default: ${DEFAULT-VALUE}.",
      defaultValue = "manifests/examples/home.yaml")
  Path example;

  @Option(names = "--work", paramLabel = "DIR", description = "Simulated clusters and operator logs. Default: ${DEFAULT-VALUE}.",
      defaultValue = "target/bench/work")
  Path work;

  @Option(names = "--out", paramLabel = "DIR", description = "Where the JSON goes. Default: ${DEFAULT-VALUE}.",
      defaultValue = "target/bench")
  Path out;

  @Option(names = "--runs", description = "Convergence runs of each side (median). Default: ${DEFAULT-VALUE}.", defaultValue = "5")
  int runs;

  @Option(names = "--drift-runs", description = "Drift repairs (median). Default: ${DEFAULT-VALUE}.", defaultValue = "10")
  int driftRuns;

  @Option(names = "--steady", paramLabel = "DURATION", description = "Steady-state window; the resync fires half-way. Default: ${DEFAULT-VALUE}.",
      defaultValue = "PT5M")
  Duration steady;

  @Option(names = "--configmaps", description = "Unrelated ConfigMaps for the footprint. Default: ${DEFAULT-VALUE}.", defaultValue = "10000")
  int configMaps;

  @Option(names = "--pods", description = "Unrelated pods for the footprint. Default: ${DEFAULT-VALUE}.", defaultValue = "2000")
  int pods;

  @Option(names = "--kill-points", description = "kill -9 points during convergence. Default: ${DEFAULT-VALUE}.", defaultValue = "20")
  int killPoints;

  @Option(names = "--scale-nodes", split = ",", description = "Node counts for the scale section. Default: ${DEFAULT-VALUE}.",
      defaultValue = "7,25,50,100")
  List<Integer> scaleNodes;

  @Option(names = "--sections", split = ",", description = "Sections to run, of ${COMPLETION-CANDIDATES}. Default: all.",
      completionCandidates = Sections.class, defaultValue = "convergence,operator,faults,scale")
  List<String> sections;

  @Option(names = "--seed", description = "Seed of the random kill points. Default: ${DEFAULT-VALUE}.", defaultValue = "10")
  long seed;

  static final class Sections extends java.util.ArrayList<String> {
    Sections() {
      super(Bench.SECTIONS);
    }
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    for (String s : sections) {
      if (!Bench.SECTIONS.contains(s)) {
        err.println("homecluster bench: unknown section " + s + "; sections are " + Bench.SECTIONS);
        return Main.EXIT_USAGE;
      }
    }
    if (!Files.isRegularFile(jar)) {
      err.println("homecluster bench: no operator jar at " + jar + " (mvn -DskipTests package)");
      return Main.EXIT_USAGE;
    }
    Bench.Options options =
        new Bench.Options(
            jar.toAbsolutePath(), example, work.toAbsolutePath(), out, runs, driftRuns, steady, configMaps, pods,
            killPoints, scaleNodes, new LinkedHashSet<>(sections), seed);
    try {
      new Bench(options, spec.commandLine().getOut()).run();
      return 0;
    } catch (BenchException e) {
      err.println("homecluster bench: " + e.getMessage());
      return 1;
    }
  }
}
