package dev.homecluster.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.homecluster.testing.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults injected into the operator, run as its own JVM from the packaged jar with the image's
 * flags, on its own simulated cluster converged on the documented example: a second field manager,
 * a frozen API server, kill -9 during convergence, and a HomeCluster deleted while the operator is
 * down (last: it ends the cluster). {@code homecluster bench} runs the same scenarios with more
 * points.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorFaultsIT {
  private static final Path JAR = Examples.repoRoot().resolve("target/homecluster-operator.jar");

  private static BenchCluster cluster;
  private static OperatorProcess operator;
  private static Faults faults;

  @BeforeAll
  static void converged() throws Exception {
    assumeTrue(Files.isRegularFile(JAR), "no " + JAR + ": run mvn verify (package comes first)");
    assumeTrue(hasOperatorCommand(), JAR + " has no 'operator' command yet");
    Path dir = Examples.repoRoot().resolve("target/operator-faults");
    cluster = BenchCluster.start(dir, Examples.load(Examples.HOME));
    faults = new Faults(cluster, OperatorFaultsIT::startOperator);
    operator = startOperator();
    cluster.kubectlApplyHomeCluster();
    assertThat(faults.awaitConverged())
        .as("converged: " + cluster.homeClusterStatus() + " " + cluster.workloads().notReady(cluster.client()))
        .isTrue();
  }

  private static OperatorProcess startOperator() {
    return OperatorProcess.start(
        JAR, cluster.operatorKubeconfig(), cluster.dir().resolve("operator.log"), Bench.freePort(),
        Duration.ofMinutes(10), List.of());
  }

  private static boolean hasOperatorCommand() throws Exception {
    Process p = new ProcessBuilder("java", "-jar", JAR.toString(), "operator", "--help")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void aSecondFieldManagerLosesEveryRoundAndTheOperatorStopsWritingWhenItStops() {
    Faults.Fight fight = faults.fieldManagerFight(5, Duration.ofSeconds(2), Duration.ofSeconds(15));

    assertThat(fight.problems()).isEmpty();
    assertThat(fight.repaired()).isEqualTo(5);
    assertThat(fight.operatorObjectWritesDuringFight()).as("repairs").isBetween(5, 6);
    assertThat(fight.operatorWritesAfterFight()).isZero();
  }

  @Test
  @Order(2)
  void theOperatorAppliesASpecChangeAfterTheApiServerWasFrozenFor20Seconds() {
    Faults.Freeze freeze = faults.freezeApiServer(operator, Duration.ofSeconds(20), "45 2 * * *");

    assertThat(freeze.problems()).isEmpty();
    assertThat(freeze.operatorAlive()).isTrue();
  }

  @Test
  @Order(3)
  void killedAtThreeRandomPointsDuringConvergenceItConvergesWithoutDuplicatesOrOrphans() {
    operator.close();
    operator = null;

    List<Faults.KillPoint> kills = faults.killDuringConvergence(3, Duration.ofSeconds(5), new Random(3));

    assertThat(kills).hasSize(3).allSatisfy(k -> assertThat(k.problems()).as("killed after %.2f s", k.killedAfterSeconds()).isEmpty());
    operator = startOperator();
    assertThat(faults.awaitConverged()).isTrue();
  }

  @Test
  @Order(4)
  void aHomeClusterDeletedWhileTheOperatorWasDownIsFinalizedAndTheClusterKeepsRunning() {
    Faults.DeletedWhileDown deleted = faults.deletedWhileDown(operator);
    operator = null;

    assertThat(deleted.heldByFinalizer()).as("held by the finalizer while no operator ran").isTrue();
    assertThat(deleted.problems()).isEmpty();
    assertThat(deleted.keptWorkloads()).as("the control plane after the deletion")
        .anySatisfy(w -> assertThat(w).contains("DaemonSet kube-system/kube-apiserver"));
  }
}
