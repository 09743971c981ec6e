package dev.homecluster.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import dev.homecluster.validation.Problem;
import dev.homecluster.validation.ValidationResult;
import dev.homecluster.validation.Validator;
import dev.homecluster.yaml.Manifests;
import dev.homecluster.yaml.SpecParseException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Thousands of mutated HomeClusters through the same path as {@code validate} and {@code render}:
 * nothing but a clear rejection or a clean rendering may come out.
 */
class AdversarialInputTest {
  private static final int CASES_PER_EXAMPLE = Integer.getInteger("adversarial.cases", 800);
  private static final Pattern FIELD_PATH =
      Pattern.compile("^(metadata|spec)(\\.[A-Za-z][A-Za-z0-9]*|\\[\\d+\\])*$");

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private final Validator validator = new Validator();
  private final Renderer renderer = new Renderer();

  @Test
  void mutatedSpecsAreRejectedWithAFieldPathOrRenderCleanly() throws Exception {
    int rejected = 0;
    int rendered = 0;
    for (String example : Examples.all()) {
      JsonNode original = yaml.readTree(Files.readString(Examples.path(example)));
      for (int i = 0; i < CASES_PER_EXAMPLE; i++) {
        long seed = example.hashCode() * 31L + i;
        SpecMutator mutator = new SpecMutator(seed, yaml);
        String text = mutator.toYaml(mutator.mutate(original));
        String context = "example " + example + ", seed " + seed;
        try {
          if (check(text, context)) {
            rendered++;
          } else {
            rejected++;
          }
        } catch (RuntimeException e) {
          throw new AssertionError(context + ": unexpected " + e, e);
        }
      }
    }
    System.out.printf("adversarial corpus: %d rejected with a field path, %d rendered%n", rejected, rendered);
    // The corpus must exercise both paths, or it proves nothing.
    assertThat(rejected).isGreaterThan(CASES_PER_EXAMPLE / 2);
    assertThat(rendered).isGreaterThan(CASES_PER_EXAMPLE / 20);
  }

  /** True when the spec rendered, false when it was rejected as it should be. */
  private boolean check(String text, String context) {
    HomeCluster cluster;
    try {
      cluster = Manifests.readHomeCluster(text);
    } catch (SpecParseException e) {
      assertThat(e.getMessage()).as(context).doesNotContain("Exception").isNotBlank();
      assertThat(e.getMessage().split(":")[0]).as(context).matches(p -> isFieldPath(p) || e.isSyntaxError());
      return false;
    }
    ValidationResult result = validator.validate(cluster);
    if (!result.isValid()) {
      for (Problem problem : result.errors()) {
        assertThat(problem.path()).as(context + ": " + problem).matches(FIELD_PATH);
        assertThat(problem.message()).as(context).isNotBlank().doesNotContain("\u0000");
      }
      return false;
    }
    List<HasMetadata> objects = renderer.render(RenderContext.of(cluster)).objects();
    assertThat(objects).as(context).isNotEmpty();
    assertThat(Manifests.toYaml(objects)).as(context).doesNotContain("PRIVATE KEY");
    return true;
  }

  private static boolean isFieldPath(String text) {
    return FIELD_PATH.matcher(text).matches() || text.equals("(document)");
  }
}
