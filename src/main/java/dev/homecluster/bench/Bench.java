package dev.homecluster.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.homecluster.api.v1alpha1.HomeCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The benchmark: the operator (a separate JVM with the image's flags) against the floor on fresh
 * simulated clusters, then its steady state, drift repair, footprint, start-up, scale and faults.
 * Prints a table as it goes and writes everything to {@code <out>/bench-<time>.json}.
 */
public final class Bench {
  /** Every section, in the order they run. */
  public static final List<String> SECTIONS =
      List.of("convergence", "operator", "faults", "scale");

  private static final Pattern STARTED = Pattern.compile("operator started");

  /**
   * @param jar the operator jar (the one the image holds)
   * @param example the HomeCluster YAML to converge
   * @param work where simulated clusters and logs go
   * @param out where the JSON goes
   */
  public record Options(
      Path jar,
      Path example,
      Path work,
      Path out,
      int runs,
      int driftRuns,
      Duration steady,
      int configMaps,
      int pods,
      int killPoints,
      List<Integer> scaleNodes,
      Set<String> sections,
      long seed) {}

  private final Options options;
  private final PrintWriter out;
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final List<String[]> table = new ArrayList<>();
  private final String exampleYaml;

  public Bench(Options options, PrintWriter out) {
    this.options = options;
    this.out = out;
    try {
      this.exampleYaml = Files.readString(options.example());
    } catch (IOException e) {
      throw new BenchException("cannot read " + options.example() + ": " + e.getMessage(), e);
    }
  }

  /** Runs the chosen sections and returns the JSON file written. */
  public Path run() {
    json.put("started", Instant.now().toString());
    json.put("loadAverageAtStart", loadAverage());
    json.put("cpus", Runtime.getRuntime().availableProcessors());
    json.put("operatorJvmFlags", OperatorProcess.IMAGE_JVM_FLAGS);
    json.put("example", options.example().toString());
    HomeCluster home = ScaledHomeCluster.of(exampleYaml, exampleNodes());
    try {
      if (options.sections().contains("convergence") || options.sections().contains("operator")) {
        convergenceAndOperator(home);
      }
      if (options.sections().contains("faults")) {
        faults(home);
      }
      if (options.sections().contains("scale")) {
        scale();
      }
    } catch (RuntimeException e) {
      json.put("failed", String.valueOf(e.getMessage()));
      throw e;
    } finally {
      json.put("finished", Instant.now().toString());
      json.put("loadAverageAtEnd", loadAverage());
      printTable();
      // Written also when a section failed, so the figures of the others are kept.
      written = writeJson();
    }
    return written;
  }

  private Path written;

  private int exampleNodes() {
    try {
      return dev.homecluster.yaml.Manifests.readHomeCluster(exampleYaml).getSpec().getNodes().size();
    } catch (dev.homecluster.yaml.SpecParseException e) {
      throw new BenchException("the example does not parse: " + e.getMessage(), e);
    }
  }

  // --- convergence ----------------------------------------------------------------------------

  private void convergenceAndOperator(HomeCluster home) {
    List<Double> floor = new ArrayList<>();
    List<Double> operator = new ArrayList<>();
    List<Double> startedIdle = new ArrayList<>();
    int runs = options.sections().contains("convergence") ? options.runs() : 1;
    for (int i = 1; i <= runs; i++) {
      floor.add(floorRun(home, options.work().resolve("floor-" + i)));
      log("convergence run %d/%d: floor %.2f s", i, runs, floor.get(floor.size() - 1));
      boolean last = i == runs;
      BenchCluster cluster = BenchCluster.start(options.work().resolve("operator-" + i), home);
      OperatorProcess op = null;
      try {
        op = startOperator(cluster);
        startedIdle.add(Stats.seconds(op.startedNanos(), op.awaitLog(STARTED, op.logStart(), Duration.ofSeconds(60))));
        long t0 = System.nanoTime();
        cluster.kubectlApplyHomeCluster();
        awaitConverged(cluster, "operator run " + i);
        operator.add(Stats.seconds(t0, System.nanoTime()));
        log("convergence run %d/%d: operator %.2f s", i, runs, operator.get(operator.size() - 1));
        if (last && options.sections().contains("operator")) {
          op = operatorSuite(cluster, op);
        }
      } finally {
        if (op != null) {
          op.close();
        }
        cluster.close();
      }
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("nodes", home.getSpec().getNodes().size());
    c.put("floorSeconds", floor);
    c.put("operatorSeconds", operator);
    c.put("floorMedian", Stats.median(floor));
    c.put("operatorMedian", Stats.median(operator));
    double ratio = Stats.median(operator) / Stats.median(floor);
    c.put("ratio", ratio);
    c.put("target", "ratio <= 1.25");
    json.put("convergence", c);
    row("convergence, floor (kubectl apply --server-side of render), median of " + floor.size(),
        fmt(Stats.median(floor)) + " s", "");
    row("convergence, operator (kubectl apply HomeCluster to Ready), median of " + operator.size(),
        fmt(Stats.median(operator)) + " s", "");
    row("convergence ratio operator/floor", fmt(ratio), verdict(ratio <= 1.25, "<= 1.25"));
    json.put("startToOperatorStartedSeconds", startedIdle);
  }

  private double floorRun(HomeCluster home, Path dir) {
    try (BenchCluster cluster = BenchCluster.start(dir, home)) {
      long t0 = System.nanoTime();
      cluster.kubectlApplyRendered();
      if (!BenchCluster.await(
          () -> cluster.workloads().notReady(cluster.client()).isEmpty(), Faults.CONVERGE_TIMEOUT, 100)) {
        throw new BenchException("the floor did not converge: " + cluster.workloads().notReady(cluster.client()));
      }
      return Stats.seconds(t0, System.nanoTime());
    }
  }

  private void awaitConverged(BenchCluster cluster, String what) {
    if (!BenchCluster.await(
        () -> cluster.homeClusterReady() && cluster.workloads().notReady(cluster.client()).isEmpty(),
        Faults.CONVERGE_TIMEOUT,
        100)) {
      throw new BenchException(what + " did not converge within " + Faults.CONVERGE_TIMEOUT + ": "
          + cluster.homeClusterStatus() + " " + cluster.workloads().notReady(cluster.client()));
    }
  }

  private OperatorProcess startOperator(BenchCluster cluster) {
    return OperatorProcess.start(
        options.jar(),
        cluster.operatorKubeconfig(),
        cluster.dir().resolve("operator.log"),
        freePort(),
        options.steady().dividedBy(2),
        List.of());
  }

  // --- the operator on a converged cluster ------------------------------------------------------

  /** Steady state, drift, footprint and start-up on a converged cluster; returns the operator running at the end. */
  private OperatorProcess operatorSuite(BenchCluster cluster, OperatorProcess op) {
    KubernetesClient client = cluster.client();
    AuditLog audit = cluster.audit();
    // Footprint on the converged, otherwise empty cluster.
    OperatorProcess.sleep(15_000);
    Map<String, Object> empty = footprint(op);
    log("footprint, empty cluster: RSS %.1f MiB, heap %.1f MiB (%.1f MiB after a full GC)",
        empty.get("rssMiB"), empty.get("heapUsedMiB"), empty.get("heapAfterGcMiB"));

    // Steady state: no event but the resync timer, which fires half-way.
    long auditMark = audit.mark();
    long logMark = op.logMark();
    log("steady state: %s without changes (resync every %s) ...", options.steady(), options.steady().dividedBy(2));
    OperatorProcess.sleep(options.steady().toMillis());
    List<AuditLog.Write> writes = audit.writesBy(OperatorIdentity.USER, auditMark);
    int reconciles = op.countLog(OperatorProcess.RECONCILED, logMark);
    Map<String, Object> steady = new LinkedHashMap<>();
    steady.put("seconds", options.steady().toSeconds());
    steady.put("reconcilesInWindow", reconciles);
    steady.put("writes", writes.size());
    steady.put("writesByVerb", AuditLog.byVerb(writes));
    steady.put("firstWrites", writes.stream().limit(20).map(AuditLog.Write::describe).toList());
    steady.put("target", 0);
    json.put("steadyState", steady);
    row("steady-state writes by the operator in " + options.steady().toSeconds() + " s (" + reconciles
        + " resync reconciles)", String.valueOf(writes.size()), verdict(writes.isEmpty(), "0"));

    // Drift repair.
    DaemonSet target =
        cluster.workloads().daemonSets().stream()
            .findFirst()
            .orElseThrow(() -> new BenchException("no DaemonSet rendered"));
    String ns = target.getMetadata().getNamespace();
    String name = target.getMetadata().getName();
    List<Double> repairs = new ArrayList<>();
    var ds = client.apps().daemonSets().inNamespace(ns).withName(name);
    for (int i = 0; i < options.driftRuns(); i++) {
      String uid = ds.get().getMetadata().getUid();
      ds.delete();
      long t0 = System.nanoTime();
      if (!BenchCluster.await(
          () -> {
            var now = ds.get();
            return now != null && !uid.equals(now.getMetadata().getUid());
          },
          Duration.ofSeconds(60),
          5)) {
        throw new BenchException("DaemonSet " + ns + "/" + name + " was not recreated within 60 s");
      }
      repairs.add(Stats.seconds(t0, System.nanoTime()));
      awaitConverged(cluster, "after drift repair " + (i + 1));
      OperatorProcess.sleep(1000);
    }
    Map<String, Object> drift = new LinkedHashMap<>();
    drift.put("daemonSet", ns + "/" + name);
    drift.put("seconds", repairs);
    drift.put("median", Stats.median(repairs));
    drift.put("target", "< 0.5 s");
    json.put("driftRepair", drift);
    row("drift repair: DaemonSet " + ns + "/" + name + " deleted until back, median of " + repairs.size(),
        fmt(Stats.median(repairs)) + " s", verdict(Stats.median(repairs) < 0.5, "< 0.5 s"));

    // Start-up: process start to the first reconcile finished, with the HomeCluster converged.
    List<Double> startups = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      op.close();
      op = startOperator(cluster);
      long seen = op.awaitLog(OperatorProcess.RECONCILED, op.logStart(), Duration.ofSeconds(60));
      startups.add(Stats.seconds(op.startedNanos(), seen));
    }
    Map<String, Object> startup = new LinkedHashMap<>();
    startup.put("secondsToFirstReconcile", startups);
    startup.put("median", Stats.median(startups));
    startup.put("target", "< 2 s");
    json.put("startup", startup);
    row("start-up: process start to first reconcile finished, median of 3",
        fmt(Stats.median(startups)) + " s", verdict(Stats.median(startups) < 2, "< 2 s"));
    awaitConverged(cluster, "after the restarts");
    OperatorProcess.sleep(15_000);
    empty = footprint(op);
    json.put("footprintEmpty", empty);
    log("footprint, empty cluster after restart: RSS %.1f MiB", empty.get("rssMiB"));

    // Footprint with unrelated load.
    long loadMark = audit.mark();
    createLoad(cluster);
    OperatorProcess.sleep(30_000);
    Map<String, Object> loaded = footprint(op);
    loaded.put("operatorWritesDuringLoad", audit.writesBy(OperatorIdentity.USER, loadMark).size());
    json.put("footprintLoaded", loaded);
    double rssEmpty = (double) empty.get("rssMiB");
    double rssLoaded = (double) loaded.get("rssMiB");
    boolean within = Math.abs(rssLoaded - rssEmpty) <= 0.10 * rssEmpty;
    row("footprint RSS, converged empty cluster", fmt(rssEmpty) + " MiB", verdict(rssEmpty <= 128, "<= 128 MiB"));
    row("footprint RSS, + " + options.configMaps() + " ConfigMaps and " + options.pods() + " pods",
        fmt(rssLoaded) + " MiB", verdict(rssLoaded <= 128 && within, "<= 128 MiB, within 10%"));
    row("heap used (after full GC), empty / loaded",
        fmt((double) empty.get("heapAfterGcMiB")) + " / " + fmt((double) loaded.get("heapAfterGcMiB")) + " MiB", "");
    return op;
  }

  private Map<String, Object> footprint(OperatorProcess op) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("rssMiB", Stats.mib(op.rssBytes()));
    f.put("heapUsedMiB", Stats.mib(op.heapUsedBytes()));
    op.fullGc();
    OperatorProcess.sleep(1000);
    f.put("heapAfterGcMiB", Stats.mib(op.heapUsedBytes()));
    f.put("rssAfterGcMiB", Stats.mib(op.rssBytes()));
    f.put("loadAverage", loadAverage());
    return f;
  }

  private void createLoad(BenchCluster cluster) {
    KubernetesClient client = cluster.client();
    String ns = "bench-load";
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    BenchCluster.await(() -> client.serviceAccounts().inNamespace(ns).withName("default").get() != null,
        Duration.ofSeconds(30), 200);
    List<String> nodes = cluster.homeCluster().getSpec().getNodes().stream().map(n -> n.getName()).toList();
    String filler = "x".repeat(512);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    long t0 = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < options.configMaps(); i++) {
        int n = i;
        futures.add(pool.submit(() -> client.configMaps().inNamespace(ns).resource(
            new ConfigMapBuilder().withNewMetadata().withName("unrelated-" + n).withNamespace(ns)
                .addToLabels("app", "unrelated").endMetadata().addToData("data", filler).build()).create()));
      }
      for (int i = 0; i < options.pods(); i++) {
        int n = i;
        futures.add(pool.submit(() -> client.pods().inNamespace(ns).resource(
            new PodBuilder().withNewMetadata().withName("unrelated-" + n).withNamespace(ns)
                .addToLabels("app", "unrelated").endMetadata()
                .withNewSpec().withNodeName(nodes.get(n % nodes.size()))
                .addToTolerations(new io.fabric8.kubernetes.api.model.TolerationBuilder().withOperator("Exists").build())
                .addNewContainer().withName("app").withImage("example.org/unrelated:1").endContainer()
                .endSpec().build()).create()));
      }
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      throw new BenchException("creating the unrelated load failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
    log("created %d ConfigMaps and %d pods in %.1f s", options.configMaps(), options.pods(),
        Stats.seconds(t0, System.nanoTime()));
    BenchCluster.await(() -> client.pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count() >= options.pods(),
        Duration.ofMinutes(5), 2000);
  }

  // --- faults -----------------------------------------------------------------------------------

  private void faults(HomeCluster home) {
    BenchCluster cluster = BenchCluster.start(options.work().resolve("faults"), home);
    OperatorProcess op = null;
    Map<String, Object> f = new LinkedHashMap<>();
    try {
      Faults faults = new Faults(cluster, () -> startOperator(cluster));
      op = startOperator(cluster);
      long t0 = System.nanoTime();
      cluster.kubectlApplyHomeCluster();
      awaitConverged(cluster, "the faults cluster");
      double convergence = Stats.seconds(t0, System.nanoTime());

      Faults.Fight fight = faults.fieldManagerFight(10, Duration.ofSeconds(2), Duration.ofSeconds(30));
      f.put("fieldManagerFight", fight);
      row("fault: field fight, 10 forced intrusions: repaired / object writes / all writes (status, events) / writes in 30 s after",
          fight.repaired() + " / " + fight.operatorObjectWritesDuringFight() + " / " + fight.operatorWritesDuringFight()
              + " / " + fight.operatorWritesAfterFight(),
          verdict(fight.problems().isEmpty(), "all repaired, <= 11 object writes, 0 after"));

      Faults.Freeze freeze = faults.freezeApiServer(op, Duration.ofSeconds(20), "15 4 * * *");
      f.put("apiServerFrozen20s", freeze);
      row("fault: API server frozen 20 s mid-reconcile, recovered after resume in",
          fmt(freeze.recoveredSeconds()) + " s", verdict(freeze.problems().isEmpty(), "recovers"));

      op.close();
      op = null;
      List<Faults.KillPoint> kills =
          faults.killDuringConvergence(options.killPoints(), Duration.ofMillis((long) (convergence * 1000)),
              new Random(options.seed()));
      f.put("killDuringConvergence", kills);
      long clean = kills.stream().filter(k -> k.problems().isEmpty()).count();
      row("fault: kill -9 during convergence, clean re-convergences", clean + " / " + kills.size(),
          verdict(clean == kills.size(), "all, no duplicates or orphans"));

      op = startOperator(cluster);
      awaitConverged(cluster, "before the deletion");
      Faults.DeletedWhileDown deleted = faults.deletedWhileDown(op);
      op = null;
      f.put("deletedWhileDown", deleted);
      row("fault: HomeCluster deleted while the operator was down, finalized after restart in",
          fmt(deleted.finalizedSeconds()) + " s", verdict(deleted.problems().isEmpty(), "every workload kept"));
    } finally {
      if (op != null) {
        op.close();
      }
      cluster.close();
      json.put("faults", f);
    }
  }

  // --- scale ------------------------------------------------------------------------------------

  private void scale() {
    Map<String, Object> s = new LinkedHashMap<>();
    Map<String, Double> render = RenderBenchmark.run(options.example(), options.scaleNodes());
    s.put("renderMillisMedianByNodes", render);
    for (var e : render.entrySet()) {
      row("render time (JMH, median), " + e.getKey() + " nodes", fmt(e.getValue()) + " ms", "");
    }
    Map<String, Object> convergence = new LinkedHashMap<>();
    for (int nodes : List.of(options.scaleNodes().get(0), options.scaleNodes().get(options.scaleNodes().size() - 1))) {
      HomeCluster cluster = ScaledHomeCluster.of(exampleYaml, nodes);
      double floor = floorRun(cluster, options.work().resolve("scale-floor-" + nodes));
      double operator;
      try (BenchCluster bc = BenchCluster.start(options.work().resolve("scale-operator-" + nodes), cluster);
          OperatorProcess op = startOperator(bc)) {
        op.awaitLog(STARTED, op.logStart(), Duration.ofSeconds(60));
        long t0 = System.nanoTime();
        bc.kubectlApplyHomeCluster();
        awaitConverged(bc, nodes + " nodes");
        operator = Stats.seconds(t0, System.nanoTime());
      }
      convergence.put(nodes + "", Map.of("floorSeconds", floor, "operatorSeconds", operator));
      row("convergence, " + nodes + " nodes: floor / operator", fmt(floor) + " / " + fmt(operator) + " s", "");
      log("scale: %d nodes, floor %.2f s, operator %.2f s", nodes, floor, operator);
    }
    s.put("convergenceByNodes", convergence);
    json.put("scale", s);
  }

  // --- output -----------------------------------------------------------------------------------

  private void row(String what, String value, String verdict) {
    table.add(new String[] {what, value, verdict});
    out.printf("  %-95s %16s  %s%n", what, value, verdict);
    out.flush();
  }

  private void log(String format, Object... args) {
    out.printf("[bench] " + format + "%n", args);
    out.flush();
  }

  private void printTable() {
    out.println();
    out.println("| measurement | value | target |");
    out.println("|---|---|---|");
    for (String[] r : table) {
      out.println("| " + r[0] + " | " + r[1] + " | " + r[2] + " |");
    }
    out.printf("load average at start %s, at end %s, %d CPUs%n",
        json.get("loadAverageAtStart"), json.get("loadAverageAtEnd"), Runtime.getRuntime().availableProcessors());
    out.flush();
  }

  private Path writeJson() {
    try {
      Files.createDirectories(options.out());
      json.put("table", table.stream().map(r -> Map.of("measurement", r[0], "value", r[1], "target", r[2])).toList());
      Path file = options.out().resolve("bench-" + Instant.now().toString().replace(":", "") + ".json");
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
      Files.copy(file, options.out().resolve("latest.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      out.println("wrote " + file);
      out.flush();
      return file;
    } catch (IOException e) {
      throw new BenchException("cannot write the results to " + options.out() + ": " + e.getMessage(), e);
    }
  }

  private static String verdict(boolean met, String target) {
    return (met ? "met" : "MISSED") + " (target " + target + ")";
  }

  private static String fmt(double v) {
    return String.format("%.2f", v);
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new BenchException("no free port: " + e.getMessage(), e);
    }
  }
}
