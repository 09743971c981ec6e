package dev.homecluster.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.testing.Examples;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class RendererTest {
  static List<String> examples() {
    return Examples.all();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void renderingTwiceGivesByteIdenticalOutput(String example) {
    String first = Manifests.toYaml(new Renderer().render(RenderContext.of(Examples.load(example))).objects());
    String second = Manifests.toYaml(new Renderer().render(RenderContext.of(Examples.load(example))).objects());

    assertThat(first).isNotEmpty().isEqualTo(second);
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyObjectCarriesTheManagedByPartOfAndComponentLabels(String example) {
    HomeCluster cluster = Examples.load(example);
    RenderResult result = new Renderer().render(RenderContext.of(cluster));

    assertThat(result.components()).isNotEmpty();
    for (ComponentOutput output : result.components()) {
      assertThat(output.objects()).allSatisfy(o -> assertThat(o.getMetadata().getLabels())
          .containsEntry(Labels.MANAGED_BY, Names.OPERATOR)
          .containsEntry(Labels.PART_OF, cluster.getMetadata().getName())
          .containsEntry(Labels.COMPONENT, output.component()));
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyObjectHasANameAndNoTwoObjectsCollide(String example) {
    List<HasMetadata> objects = new Renderer().render(RenderContext.of(Examples.load(example))).objects();

    assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getName()).isNotBlank());
    assertThat(objects.stream().map(o -> o.getApiVersion() + "/" + o.getKind() + "/"
            + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()))
        .doesNotHaveDuplicates();
  }

  @Test
  void renderingDoesNotChangeTheSpec() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    String before = Manifests.toYaml(cluster);

    new Renderer().render(RenderContext.of(cluster));

    assertThat(Manifests.toYaml(cluster)).isEqualTo(before);
  }

  @Test
  void anInvalidSpecRendersNothing() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getNodes().get(2).setAddress("192.168.1.999");

    assertThatThrownBy(() -> new Renderer().render(RenderContext.of(cluster)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.nodes[2].address");
  }

  @Test
  void objectsAreOrderedSoThatDependenciesComeFirst() {
    List<String> kinds = new Renderer().render(RenderContext.of(Examples.load(Examples.HOME))).components().stream()
        .flatMap(c -> c.objects().stream().map(HasMetadata::getKind))
        .toList();
    // Within a component, a Namespace precedes what lives in it and ConfigMaps precede workloads.
    for (ComponentOutput output : new Renderer().render(RenderContext.of(Examples.load(Examples.HOME))).components()) {
      List<String> componentKinds = output.objects().stream().map(HasMetadata::getKind).toList();
      int lastNamespace = componentKinds.lastIndexOf("Namespace");
      int firstWorkload = firstIndexOfAny(componentKinds, "DaemonSet", "Deployment", "StatefulSet", "CronJob");
      int lastConfig = Math.max(componentKinds.lastIndexOf("ConfigMap"), componentKinds.lastIndexOf("Secret"));
      if (firstWorkload >= 0) {
        assertThat(lastNamespace).isLessThan(firstWorkload);
        assertThat(lastConfig).isLessThan(firstWorkload);
      }
    }
    assertThat(kinds).contains("Node");
  }

  private static int firstIndexOfAny(List<String> kinds, String... wanted) {
    for (int i = 0; i < kinds.size(); i++) {
      if (List.of(wanted).contains(kinds.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
