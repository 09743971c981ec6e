package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControllerManagerDeploymentTest {
  private final List<HasMetadata> home = Rendered.component(Examples.HOME, Names.KUBE_CONTROLLER_MANAGER);

  private static Deployment deployment(List<HasMetadata> objects) {
    return Rendered.find(objects, Deployment.class, Names.KUBE_CONTROLLER_MANAGER);
  }

  @Test
  void runsTwoLeaderElectedReplicasOnDifferentMasters() {
    Deployment kcm = deployment(home);
    PodSpec pod = kcm.getSpec().getTemplate().getSpec();

    assertThat(kcm.getSpec().getReplicas()).isEqualTo(2);
    assertThat(pod.getContainers().get(0).getCommand()).contains("--leader-elect=true");
    assertThat(pod.getNodeSelector()).isEqualTo(Map.of("node-role.kubernetes.io/control-plane", ""));
    assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(term -> {
          assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
          assertThat(term.getLabelSelector().getMatchLabels())
              .isEqualTo(kcm.getSpec().getSelector().getMatchLabels());
        });
    assertThat(pod.getTolerations()).anySatisfy(t -> assertThat(t.getKey()).isEqualTo("node-role.kubernetes.io/control-plane"));
  }

  @Test
  void aSingleMasterRunsOneReplica() {
    assertThat(deployment(Rendered.component(Examples.ONE_BOX_LAB, Names.KUBE_CONTROLLER_MANAGER)).getSpec().getReplicas())
        .isEqualTo(1);
  }

  @Test
  void allocatesNodeCidrsFromThePodNetworkAndSignsWithTheClusterCa() {
    assertThat(deployment(home).getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .contains(
            "--allocate-node-cidrs=true",
            "--cluster-cidr=10.244.0.0/16",
            "--service-cluster-ip-range=10.96.0.0/12",
            "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
            "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
            "--root-ca-file=/etc/kubernetes/pki/ca.crt",
            "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
            // Its own identity is the client certificate; each controller still gets its own
            // ServiceAccount, as with kubeadm.
            "--use-service-account-credentials=true",
            "--controllers=*,bootstrapsigner,tokencleaner");
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("kube-controller-manager/home.yaml", Manifests.toYaml(home));
  }
}
