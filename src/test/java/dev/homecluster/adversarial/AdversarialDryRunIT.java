package dev.homecluster.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.testing.Examples;
import dev.homecluster.validation.Validator;
import dev.homecluster.yaml.Manifests;
import dev.homecluster.yaml.SpecParseException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The part of the adversarial corpus that needs an API server: every mutated HomeCluster that
 * validates renders objects that the real kube-apiserver accepts (server-side apply, dry run),
 * with its OpenAPI and CRD schemas, CEL rules and admission. A bounded sample keeps CI short.
 */
@SimulatedClusterTest(rookCrds = true)
class AdversarialDryRunIT {
  /** Accepted specs to send to the API server: 200 took 228 s on a loaded 2-core machine, so 100 by default. */
  private static final int SAMPLE = Integer.getInteger("adversarial.dryRunSample", 100);

  /** Larger accepted specs are left to AdversarialInputTest: a request per node each is slow. */
  private static final int MAX_NODES = 50;

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  @Test
  void everyAcceptedMutatedSpecRendersObjectsTheApiServerAccepts(KubernetesClient client) throws Exception {
    Validator validator = new Validator();
    Renderer renderer = new Renderer();
    List<String> rejectedByApiServer = new ArrayList<>();
    int sent = 0;
    int objects = 0;
    outer:
    for (int i = 0; ; i++) {
      for (String example : Examples.all()) {
        if (sent >= SAMPLE) {
          break outer;
        }
        if (i > 50 * SAMPLE) {
          break outer;
        }
        long seed = example.hashCode() * 31L + i;
        JsonNode original = yaml.readTree(Files.readString(Examples.path(example)));
        SpecMutator mutator = new SpecMutator(seed, yaml);
        HomeCluster cluster;
        try {
          cluster = Manifests.readHomeCluster(mutator.toYaml(mutator.mutate(original)));
        } catch (SpecParseException rejected) {
          continue;
        }
        if (!validator.validate(cluster).isValid()) {
          continue;
        }
        if (cluster.getSpec().getNodes().size() > MAX_NODES) {
          // Huge node lists render the same kinds many times over; AdversarialInputTest renders them.
          continue;
        }
        sent++;
        List<HasMetadata> rendered = renderer.render(RenderContext.of(cluster)).objects();
        // Namespaces for real (a dry-run object cannot live in a namespace that does not exist),
        // everything else as a dry run.
        for (HasMetadata o : rendered) {
          if (o instanceof Namespace) {
            client.resource(o).fieldManager("adversarial").forceConflicts().serverSideApply();
          }
        }
        for (HasMetadata o : rendered) {
          if (o instanceof Namespace) {
            continue;
          }
          objects++;
          try {
            client.resource(o).dryRun().fieldManager("adversarial").forceConflicts().serverSideApply();
          } catch (KubernetesClientException e) {
            rejectedByApiServer.add(
                "example " + example + ", seed " + seed + ": " + o.getKind() + " "
                    + o.getMetadata().getName() + ": " + e.getMessage());
          }
        }
      }
    }
    System.out.printf("adversarial dry run: %d accepted specs, %d objects sent%n", sent, objects);
    assertThat(sent).as("accepted specs in the corpus").isGreaterThanOrEqualTo(Math.min(SAMPLE, 20));
    assertThat(rejectedByApiServer).isEmpty();
  }
}
