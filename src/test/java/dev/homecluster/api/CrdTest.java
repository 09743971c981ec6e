package dev.homecluster.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.testing.Examples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** crds/ is what users apply and the chart ships; it must be exactly what the build generates. */
class CrdTest {
  private static final String FILE = "homeclusters.homecluster.dev-v1.yml";

  @Test
  void committedCrdEqualsTheGeneratedOne() throws IOException {
    Path generated = Examples.repoRoot().resolve("target/classes/META-INF/fabric8/" + FILE);
    Path committed = Examples.repoRoot().resolve("crds/" + FILE);

    assertThat(generated).as("the build generates the CRD at process-classes").exists();
    assertThat(Files.readString(committed))
        .as("crds/%s is stale: run 'mvn -q process-classes && cp target/classes/META-INF/fabric8/%s crds/'", FILE, FILE)
        .isEqualTo(Files.readString(generated));
  }

  @Test
  void crdIsClusterScopedWithShortNameStatusAndPrinterColumns() throws IOException {
    String crd = Files.readString(Examples.repoRoot().resolve("crds/" + FILE));

    assertThat(crd)
        .contains("scope: \"Cluster\"")
        .contains("- \"hc\"")
        .contains("status: {}")
        .contains("name: \"Ready\"", "name: \"VIP\"", "name: \"Masters\"", "name: \"Workers\"", "name: \"Age\"");
  }
}
