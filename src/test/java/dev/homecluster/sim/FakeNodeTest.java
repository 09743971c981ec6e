package dev.homecluster.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.NodeCapacity;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeNodeTest {
  @Test
  void capacityFollowsTheHardwareOfEachRole() {
    assertThat(FakeNode.of("m", "10.0.0.1", Role.MASTER))
        .extracting(FakeNode::cpu, FakeNode::memory)
        .containsExactly(new Quantity("4"), new Quantity("4Gi"));
    assertThat(FakeNode.of("w", "10.0.0.2", Role.WORKER))
        .extracting(FakeNode::cpu, FakeNode::memory)
        .containsExactly(new Quantity("4"), new Quantity("16Gi"));
    assertThat(FakeNode.of("b", "10.0.0.3", Role.BACKUP))
        .extracting(FakeNode::cpu, FakeNode::memory)
        .containsExactly(new Quantity("2"), new Quantity("8Gi"));
  }

  @Test
  void aWorkerRoleWinsOverTheOthersOnAMultiRoleNode() {
    FakeNode box = FakeNode.of("box", "10.0.0.4", Role.MASTER, Role.WORKER, Role.BACKUP);

    assertThat(box.memory()).isEqualTo(new Quantity("16Gi"));
    assertThat(box.cpu()).isEqualTo(new Quantity("4"));
  }

  @Test
  void aDeclaredCapacityInTheSpecWins() {
    NodeSpec spec = new NodeSpec();
    spec.setName("worker-01");
    spec.setAddress("10.0.2.11");
    spec.setRoles(List.of(Role.WORKER));
    spec.setCapacity(new NodeCapacity(new Quantity("8"), new Quantity("32Gi")));

    FakeNode node = FakeNode.from(spec);

    assertThat(node.cpu()).isEqualTo(new Quantity("8"));
    assertThat(node.memory()).isEqualTo(new Quantity("32Gi"));
  }

  @Test
  void theNodeLooksLikeARegisteredKubeletHandedToKwok() {
    Node node = FakeNode.of("master-1", "192.168.1.111", Role.MASTER).toNode();

    assertThat(node.getMetadata().getName()).isEqualTo("master-1");
    assertThat(node.getMetadata().getAnnotations())
        .containsEntry(FakeNode.KWOK_ANNOTATION, FakeNode.KWOK_ANNOTATION_VALUE);
    assertThat(node.getMetadata().getLabels())
        .containsEntry("kubernetes.io/hostname", "master-1")
        .containsEntry("kubernetes.io/os", "linux")
        .containsEntry("kubernetes.io/arch", "amd64")
        .containsEntry("node-role.kubernetes.io/control-plane", "")
        .doesNotContainKey("node-role.kubernetes.io/master");
    assertThat(node.getSpec()).isNull();
    assertThat(node.getStatus().getAddresses())
        .containsExactly(
            new NodeAddress("192.168.1.111", "InternalIP"),
            new NodeAddress("master-1", "Hostname"));
    assertThat(node.getStatus().getAllocatable())
        .containsEntry("cpu", new Quantity("4"))
        .containsEntry("memory", new Quantity("4Gi"))
        .containsEntry("pods", new Quantity("110"));
  }
}
