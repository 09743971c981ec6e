package dev.homecluster.bench;

import dev.homecluster.render.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Faults injected into a running operator on a {@link BenchCluster}: each method drives one
 * scenario and returns what it measured, with the problems found (empty when the operator
 * coped). Shared by the fault integration tests and {@code homecluster bench}.
 */
public final class Faults {
  /** How long the operator may take to converge after a fault. */
  public static final Duration CONVERGE_TIMEOUT = Duration.ofMinutes(3);

  private final BenchCluster cluster;
  private final OperatorLauncher launcher;

  /** Starts operator processes for a cluster (a fresh http port and the same log each time). */
  public interface OperatorLauncher {
    OperatorProcess start();
  }

  public Faults(BenchCluster cluster, OperatorLauncher launcher) {
    this.cluster = cluster;
    this.launcher = launcher;
  }

  /** One kill -9 during convergence: when, and what was wrong after the restart converged. */
  public record KillPoint(double killedAfterSeconds, double reconvergedSeconds, List<String> problems) {}

  /**
   * For each point: with the operator stopped, deletes every object it labels as its own (workloads,
   * ConfigMaps, Services, Secrets), starts it, kills it with SIGKILL after a random delay within
   * {@code maxDelay}, starts it again, waits for Ready and checks {@link Invariants}. Expects the
   * cluster converged and no operator running.
   */
  public List<KillPoint> killDuringConvergence(int points, Duration maxDelay, Random random) {
    Set<String> secrets = Invariants.generatedSecrets(cluster.client(), cluster.rendered());
    List<KillPoint> results = new ArrayList<>();
    for (int i = 0; i < points; i++) {
      deleteOwnedObjects();
      double delay = random.nextDouble() * maxDelay.toMillis() / 1000.0;
      OperatorProcess first = launcher.start();
      OperatorProcess.sleep((long) (delay * 1000));
      first.kill9();
      long restarted = System.nanoTime();
      try (OperatorProcess second = launcher.start()) {
        // The status still says Ready from before the objects were deleted until an operator
        // reconciles: judge only after the restarted one has finished its first reconcile.
        second.awaitLog(OperatorProcess.RECONCILED, second.logStart(), CONVERGE_TIMEOUT);
        boolean converged = awaitConverged();
        double took = Stats.seconds(restarted, System.nanoTime());
        List<String> problems = new ArrayList<>();
        if (!converged) {
          problems.add("not converged within " + CONVERGE_TIMEOUT + ": " + cluster.homeClusterStatus()
              + " " + cluster.workloads().notReady(cluster.client()));
        }
        problems.addAll(Invariants.check(cluster.client(), cluster.rendered(), secrets));
        results.add(new KillPoint(delay, took, problems));
      }
    }
    return results;
  }

  /** Waits until the HomeCluster is Ready and every rendered workload is ready. */
  public boolean awaitConverged() {
    return BenchCluster.await(
        () -> cluster.homeClusterReady() && cluster.workloads().notReady(cluster.client()).isEmpty(),
        CONVERGE_TIMEOUT,
        100);
  }

  private void deleteOwnedObjects() {
    var c = cluster.client();
    String selector = Labels.MANAGED_SELECTOR;
    c.apps().daemonSets().inAnyNamespace().withLabelSelector(selector).delete();
    c.apps().deployments().inAnyNamespace().withLabelSelector(selector).delete();
    c.apps().statefulSets().inAnyNamespace().withLabelSelector(selector).delete();
    c.batch().v1().cronjobs().inAnyNamespace().withLabelSelector(selector).delete();
    c.configMaps().inAnyNamespace().withLabelSelector(selector).delete();
    c.services().inAnyNamespace().withLabelSelector(selector).delete();
    c.secrets().inAnyNamespace().withLabelSelector(selector).delete();
    BenchCluster.await(
        () ->
            c.apps().daemonSets().inAnyNamespace().withLabelSelector(selector).list().getItems().isEmpty()
                && c.apps().deployments().inAnyNamespace().withLabelSelector(selector).list().getItems().isEmpty()
                && c.secrets().inAnyNamespace().withLabelSelector(selector).list().getItems().isEmpty(),
        Duration.ofSeconds(60),
        100);
  }

  /** The API server frozen for a while during a reconcile, and how the operator came back. */
  public record Freeze(double frozenSeconds, double recoveredSeconds, boolean operatorAlive, List<String> problems) {}

  /**
   * Changes the spec (the backup rsync schedule, so a reconcile starts), freezes the API server
   * with SIGSTOP for {@code frozen} right after, resumes it with SIGCONT and waits until the
   * operator has applied the change and reports Ready for the new generation. Expects the cluster
   * converged with {@code operator} running.
   */
  public Freeze freezeApiServer(OperatorProcess operator, Duration frozen, String newRsyncSchedule) {
    long pid = apiServerPid();
    cluster.client()
        .genericKubernetesResources(BenchCluster.API_VERSION, "HomeCluster")
        .withName(cluster.name())
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"backup\":{\"rsync\":{\"schedule\":\"" + newRsyncSchedule + "\"}}}}");
    long mark = operator.logMark();
    OperatorProcess.sleep(50);
    signal("STOP", pid);
    OperatorProcess.sleep(frozen.toMillis());
    signal("CONT", pid);
    long resumed = System.nanoTime();
    boolean converged =
        BenchCluster.await(
            () ->
                cluster.homeClusterReady()
                    && cluster.workloads().notReady(cluster.client()).isEmpty()
                    && rsyncSchedules().contains(newRsyncSchedule),
            CONVERGE_TIMEOUT,
            100);
    double took = Stats.seconds(resumed, System.nanoTime());
    List<String> problems = new ArrayList<>();
    if (!operator.isAlive()) {
      problems.add("the operator exited during the outage (see its log)");
    }
    if (!converged) {
      problems.add("not recovered within " + CONVERGE_TIMEOUT + ": " + cluster.homeClusterStatus()
          + "; rsync schedules " + rsyncSchedules());
    }
    if (operator.countLog(OperatorProcess.RECONCILED, mark) == 0) {
      problems.add("no reconcile finished after the outage");
    }
    return new Freeze(frozen.toMillis() / 1000.0, took, operator.isAlive(), problems);
  }

  private List<String> rsyncSchedules() {
    return cluster.client().batch().v1().cronjobs().inAnyNamespace().withLabelSelector(Labels.MANAGED_SELECTOR)
        .list().getItems().stream()
        .filter(cj -> cj.getMetadata().getName().contains("rsync"))
        .map(cj -> cj.getSpec().getSchedule())
        .toList();
  }

  /** The pid of this cluster's kube-apiserver, found by its command line under the state folder. */
  public long apiServerPid() {
    String stateDir = cluster.sim().stateDir().toString();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          String[] args = cmdline.split("\0");
          if (args.length > 0 && args[0].endsWith("/kube-apiserver") && cmdline.contains(stateDir + "/")) {
            return Long.parseLong(p.getFileName().toString());
          }
        } catch (IOException gone) {
          // the process ended while listing
        }
      }
    } catch (IOException e) {
      throw new BenchException("cannot list /proc: " + e.getMessage(), e);
    }
    throw new BenchException("no kube-apiserver process of " + stateDir);
  }

  private static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new BenchException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new BenchException("cannot run kill: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }

  /** A field fight: how often the intruder wrote, how the operator answered, and after. */
  public record Fight(
      int intruderWrites,
      int repaired,
      double medianRepairSeconds,
      int operatorObjectWritesDuringFight,
      int operatorWritesDuringFight,
      int operatorWritesAfterFight,
      List<String> problems) {}

  /**
   * A second field manager ("intruder") takes the first container image of a rendered DaemonSet
   * with a forced server-side apply, {@code rounds} times, {@code every} apart. The operator must
   * put its own image back each time, in a bounded number of writes, and stay quiet for {@code
   * quiet} once the intruder stops (no hot loop). Expects the cluster converged with the operator
   * running.
   */
  public Fight fieldManagerFight(int rounds, Duration every, Duration quiet) {
    DaemonSet target =
        cluster.workloads().daemonSets().stream()
            .findFirst()
            .orElseThrow(() -> new BenchException("the rendering has no DaemonSet to fight over"));
    String ns = target.getMetadata().getNamespace();
    String name = target.getMetadata().getName();
    var container = target.getSpec().getTemplate().getSpec().getContainers().get(0);
    String ours = container.getImage();
    String patch =
        """
        {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"%s","namespace":"%s"},
         "spec":{"template":{"spec":{"containers":[{"name":"%s","image":"example.org/intruder:1"}]}}}}
        """
            .formatted(name, ns, container.getName());
    AuditLog audit = cluster.audit();
    long fightStart = audit.mark();
    List<Double> repairs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    var ds = cluster.client().apps().daemonSets().inNamespace(ns).withName(name);
    for (int i = 0; i < rounds; i++) {
      ds.patch(
          new PatchContext.Builder()
              .withPatchType(PatchType.SERVER_SIDE_APPLY)
              .withFieldManager("intruder")
              .withForce(true)
              .build(),
          patch);
      long wrote = System.nanoTime();
      boolean back =
          BenchCluster.await(
              () -> ours.equals(ds.get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()),
              every.multipliedBy(5),
              10);
      if (back) {
        repairs.add(Stats.seconds(wrote, System.nanoTime()));
      } else {
        problems.add("round " + (i + 1) + ": the intruder's image stayed for " + every.multipliedBy(5));
      }
      OperatorProcess.sleep(Math.max(0, every.toMillis() - (System.nanoTime() - wrote) / 1_000_000));
    }
    // Let the last repair land before counting the quiet period.
    OperatorProcess.sleep(2000);
    long quietStart = audit.mark();
    List<AuditLog.Write> fightWrites = new ArrayList<>(audit.writesBy(OperatorIdentity.USER, fightStart));
    fightWrites.subList(fightWrites.size() - audit.writesBy(OperatorIdentity.USER, quietStart).size(), fightWrites.size()).clear();
    int during = fightWrites.size();
    // Writes to objects (the repairs), apart from the status patches and Events that report the
    // DaemonSet's pods rolling to the intruder's image and back.
    long objectWrites =
        fightWrites.stream()
            .filter(w -> !w.resource().equals("events") && !w.subresource().equals("status"))
            .count();
    OperatorProcess.sleep(quiet.toMillis());
    int after = audit.writesBy(OperatorIdentity.USER, quietStart).size();
    String image = ds.get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    if (!ours.equals(image)) {
      problems.add("after the fight the image is " + image + ", not " + ours);
    }
    // One repair per intrusion (one more if an intrusion lands while the previous repair's event
    // is still queued); at most two status patches per intrusion (pods rolling away and back) and
    // one Applied event.
    if (objectWrites > rounds + 1) {
      problems.add(objectWrites + " object writes by the operator for " + rounds + " intrusions (bound: "
          + (rounds + 1) + "): "
          + fightWrites.stream().filter(w -> !w.resource().equals("events") && !w.subresource().equals("status"))
              .map(AuditLog.Write::describe).limit(10).toList());
    }
    // Status patches follow the DaemonSet's pods as they roll to the intruder's image and back
    // (several per round on three masters); they are reported, not bounded: what must not
    // happen is a loop, which the quiet period after the fight checks.
    if (after > 0) {
      problems.add(after + " operator writes in the " + quiet + " after the fight: "
          + audit.writesBy(OperatorIdentity.USER, quietStart).stream().map(AuditLog.Write::describe).limit(5).toList());
    }
    return new Fight(rounds, repairs.size(), Stats.median(repairs), (int) objectWrites, during, after, problems);
  }

  /** A HomeCluster deleted while no operator ran: what the restarted operator did. */
  public record DeletedWhileDown(
      boolean heldByFinalizer, double finalizedSeconds, List<String> keptWorkloads, List<String> problems) {}

  /**
   * Stops {@code operator}, deletes the HomeCluster, starts a new operator and waits until its
   * finalizer has let the HomeCluster go. Under the default deletionPolicy (Orphan) every workload
   * must still be there afterwards: deleting the resource never takes the cluster down.
   */
  public DeletedWhileDown deletedWhileDown(OperatorProcess operator) {
    List<String> before = remainingWorkloads();
    operator.close();
    cluster.kubectl("delete", "homecluster", cluster.name(), "--wait=false");
    OperatorProcess.sleep(2000);
    boolean held = cluster.homeClusterResource() != null;
    long started = System.nanoTime();
    try (OperatorProcess restarted = launcher.start()) {
      boolean gone = BenchCluster.await(() -> cluster.homeClusterResource() == null, Duration.ofSeconds(120), 100);
      double seconds = Stats.seconds(started, System.nanoTime());
      List<String> problems = new ArrayList<>();
      if (!gone) {
        problems.add("after 120 s: HomeCluster still there: " + cluster.homeClusterStatus());
      }
      OperatorProcess.sleep(3000); // time for a garbage collector that had anything to do
      List<String> kept = remainingWorkloads();
      List<String> lost = before.stream().filter(w -> !kept.contains(w)).toList();
      if (!lost.isEmpty()) {
        problems.add("workloads deleted with the HomeCluster: " + lost);
      }
      return new DeletedWhileDown(held, seconds, kept, problems);
    }
  }

  private List<String> remainingWorkloads() {
    var c = cluster.client();
    String selector = Labels.MANAGED_SELECTOR;
    List<HasMetadata> left = new ArrayList<>();
    left.addAll(c.apps().daemonSets().inAnyNamespace().withLabelSelector(selector).list().getItems());
    left.addAll(c.apps().deployments().inAnyNamespace().withLabelSelector(selector).list().getItems());
    left.addAll(c.apps().statefulSets().inAnyNamespace().withLabelSelector(selector).list().getItems());
    left.addAll(c.batch().v1().cronjobs().inAnyNamespace().withLabelSelector(selector).list().getItems());
    return left.stream()
        .filter(o -> o.getMetadata().getDeletionTimestamp() == null)
        .map(Invariants::key)
        .toList();
  }
}
