package dev.homecluster.render.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeRolesTest {
  private final NodeRoles component = new NodeRoles();

  private List<Node> render(HomeCluster cluster) {
    return component.render(RenderContext.of(cluster)).stream().map(Node.class::cast).toList();
  }

  @Test
  void labelsEveryNodeWithItsRolesAndTaintsDedicatedMasters() {
    List<Node> nodes = render(Examples.load(Examples.HOME));

    assertThat(nodes).extracting(n -> n.getMetadata().getName())
        .containsExactly("master-1", "master-2", "master-3", "worker-1", "worker-2", "worker-3", "backup-1");
    Node master = nodes.get(0);
    assertThat(master.getMetadata().getLabels())
        .containsKey("node-role.kubernetes.io/control-plane")
        .doesNotContainKeys("node-role.kubernetes.io/worker", "node-role.kubernetes.io/master");
    assertThat(master.getSpec().getTaints())
        .singleElement()
        .satisfies(t -> {
          assertThat(t.getKey()).isEqualTo(Placement.CONTROL_PLANE_TAINT_KEY);
          assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
    Node worker = nodes.get(3);
    assertThat(worker.getMetadata().getLabels()).containsOnlyKeys("node-role.kubernetes.io/worker");
    assertThat(worker.getSpec()).isNull();
  }

  @Test
  void aMasterThatIsAlsoAWorkerIsNotTainted() {
    List<Node> nodes = render(Examples.load(Examples.ONE_BOX_LAB));

    assertThat(nodes).singleElement().satisfies(n -> {
      assertThat(n.getMetadata().getLabels()).containsOnlyKeys(
          "node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/worker", "node-role.kubernetes.io/backup");
      assertThat(n.getSpec()).isNull();
    });
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    List<HasMetadata> objects = Rendered.component(Examples.HOME, component.name());
    Golden.assertMatches("node-roles/home.yaml", Manifests.toYaml(objects));
  }
}
