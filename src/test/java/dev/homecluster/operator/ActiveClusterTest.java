package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActiveClusterTest {
  private static HomeCluster cluster(String name, String created) {
    HomeCluster hc = new HomeCluster();
    hc.setMetadata(new ObjectMetaBuilder().withName(name).withCreationTimestamp(created).build());
    return hc;
  }

  @Test
  void theOldestHomeClusterManagesTheCluster() {
    HomeCluster home = cluster("home", "2026-11-30T09:00:00Z");
    HomeCluster lab = cluster("a-lab", "2026-12-01T10:00:00Z");

    assertThat(ActiveCluster.of(List.of(lab, home))).contains(home);
    assertThat(ActiveCluster.is(home, List.of(lab, home))).isTrue();
    assertThat(ActiveCluster.is(lab, List.of(lab, home))).as("a newer one, whatever its name").isFalse();
  }

  @Test
  void aRenameKeepsTheOldNameActiveUntilItIsGone() {
    HomeCluster old = cluster("home", "2026-11-30T09:00:00Z");
    HomeCluster renamed = cluster("home-v2", "2026-12-05T03:00:00Z");

    assertThat(ActiveCluster.is(renamed, List.of(old, renamed))).isFalse();
    assertThat(ActiveCluster.is(renamed, List.of(renamed))).as("after the old one is deleted").isTrue();
  }

  @Test
  void createdInTheSameSecondTheNameDecides() {
    HomeCluster b = cluster("b", "2026-11-30T09:00:00Z");
    HomeCluster a = cluster("a", "2026-11-30T09:00:00Z");

    assertThat(ActiveCluster.of(List.of(b, a))).contains(a);
    assertThat(ActiveCluster.of(List.of(a, b))).contains(a);
  }

  @Test
  void aHomeClusterNotYetStoredNeverDisplacesAStoredOne() {
    HomeCluster stored = cluster("home", "2026-11-30T09:00:00Z");
    HomeCluster unstored = cluster("a", null);

    assertThat(ActiveCluster.of(List.of(unstored, stored))).contains(stored);
  }

  @Test
  void theRefusalNamesTheActiveClusterAndHowToRename() {
    assertThat(ActiveCluster.refusal(cluster("home", "2026-11-30T09:00:00Z")))
        .contains("HomeCluster \"home\" already manages this cluster")
        .contains("writes nothing")
        .contains("delete \"home\"");
  }
}
