package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.InvalidSpecException;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HomeCluster's name becomes a label value and a line in config files: a DNS label only. */
class ClusterNameRulesTest {
  private final HomeCluster home = Examples.load(Examples.HOME);

  private List<String> errors() {
    return new Validator().validate(home).errors().stream().map(Problem::toString).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Home", "home lab", "home\nglobal", "home.lab", "-home", "home-", "home_lab"})
  void rejectsNamesThatAreNotDnsLabels(String name) {
    home.getMetadata().setName(name);

    assertThat(errors())
        .containsExactly(
            "metadata.name: must be a lowercase DNS label of at most 63 characters (a-z, 0-9,"
                + " '-'), since every object carries it as its app.kubernetes.io/part-of label,"
                + " got \""
                + name.replace("\n", "\\u000a")
                + "\"");
  }

  @Test
  void rejectsANameLongerThanALabelValueSayingHowLong() {
    home.getMetadata().setName("h".repeat(300));

    assertThat(errors()).singleElement().asString()
        .startsWith("metadata.name: must be a lowercase DNS label of at most 63 characters")
        .endsWith("...\" (300 characters)");
  }

  @Test
  void acceptsTheLongestLabel() {
    home.getMetadata().setName("h".repeat(63));

    assertThat(errors()).isEmpty();
  }

  @Test
  void renderRefusesANameWithANewlineBeforeItReachesHaproxyCfg() {
    home.getMetadata().setName("home\n    bind *:22");

    Assertions.assertThatThrownBy(() -> new Renderer().render(RenderContext.of(home)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("metadata.name");
  }

  @Test
  void aMissingNameIsRequired() {
    home.getMetadata().setName(null);

    assertThat(errors()).containsExactly("metadata.name: is required");
  }
}
