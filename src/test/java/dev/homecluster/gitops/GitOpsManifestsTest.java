package dev.homecluster.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** manifests/gitops/: what Flux and Argo CD sync, in the order and with the checks they need. */
class GitOpsManifestsTest {
  private static final Path GITOPS = Examples.repoRoot().resolve("manifests/gitops");

  private static GenericKubernetesResource load(String file) throws IOException {
    return Serialization.unmarshal(Files.readString(GITOPS.resolve(file)), GenericKubernetesResource.class);
  }

  @Test
  void syncedHomeClusterIsTheDocumentedExampleAndRenders() throws Exception {
    String synced = Files.readString(GITOPS.resolve("cluster/home.yaml"));

    assertThat(synced).isEqualTo(Files.readString(Examples.path(Examples.HOME)));
    assertThat(new Renderer().render(RenderContext.of(Manifests.readHomeCluster(synced))).objects()).isNotEmpty();
  }

  @Test
  void fluxAppliesTheHomeClusterAfterTheOperatorAndWaitsForItsReadiness() throws IOException {
    GenericKubernetesResource operator = load("flux/operator.yaml");
    GenericKubernetesResource cluster = load("flux/homecluster.yaml");

    assertThat((Boolean) operator.get("spec", "wait")).isTrue();
    assertThat((String) cluster.get("spec", "dependsOn", 0, "name")).isEqualTo(operator.getMetadata().getName());
    assertThat((List<Map<String, Object>>) cluster.get("spec", "healthChecks"))
        .containsExactly(Map.of("apiVersion", "homecluster.dev/v1alpha1", "kind", "HomeCluster", "name", "home"));
    assertThat((Boolean) cluster.get("spec", "prune")).as("removing the file from Git must not delete the cluster").isFalse();
    assertThat((String) cluster.get("spec", "path")).isEqualTo("./manifests/gitops/cluster");
  }

  @Test
  void fluxInstallsTheChartOfThisRepositoryAndUpgradesItsCrd() throws IOException {
    GenericKubernetesResource release = load("flux/operator/helmrelease.yaml");

    assertThat((String) release.get("spec", "chart", "spec", "chart")).isEqualTo("./operator");
    assertThat(Files.exists(Examples.repoRoot().resolve("operator/Chart.yaml"))).isTrue();
    assertThat((String) release.get("spec", "upgrade", "crds")).isEqualTo("CreateReplace");
  }

  @Test
  void argoSyncsTheOperatorBeforeTheHomeClusterAndNeverPrunesIt() throws IOException {
    GenericKubernetesResource operator = load("argocd/operator-application.yaml");
    GenericKubernetesResource cluster = load("argocd/homecluster-application.yaml");

    assertThat(wave(operator)).isLessThan(wave(cluster));
    assertThat((String) operator.get("spec", "source", "path")).isEqualTo("operator");
    assertThat((String) cluster.get("spec", "source", "path")).isEqualTo("manifests/gitops/cluster");
    assertThat((Boolean) cluster.get("spec", "syncPolicy", "automated", "prune")).isFalse();
  }

  private static int wave(GenericKubernetesResource application) {
    return Integer.parseInt(application.getMetadata().getAnnotations().get("argocd.argoproj.io/sync-wave"));
  }
}
