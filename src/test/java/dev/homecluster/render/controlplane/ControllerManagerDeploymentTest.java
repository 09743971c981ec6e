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
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
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
    assertThat(pod.getNodeSelector()).isEqualTo(Map.of("node-role.kubernetes.io/master", ""));
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
            "--use-service-account-credentials=true",
            "--controllers=*,bootstrapsigner,tokencleaner");
  }

  @Test
  void reachesTheApiThroughTheVipWithItsOwnServiceAccount() {
    PodSpec pod = deployment(home).getSpec().getTemplate().getSpec();

    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getServiceAccountName()).isEqualTo(Names.KUBE_CONTROLLER_MANAGER);
    assertThat(pod.getContainers().get(0).getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains("KUBERNETES_SERVICE_HOST=192.168.1.100", "KUBERNETES_SERVICE_PORT=8443");
    assertThat(home)
        .filteredOn(ClusterRoleBinding.class::isInstance)
        .map(ClusterRoleBinding.class::cast)
        .extracting(b -> b.getRoleRef().getName())
        .contains("system:kube-controller-manager");
    assertThat(home)
        .filteredOn(RoleBinding.class::isInstance)
        .map(RoleBinding.class::cast)
        .extracting(b -> b.getRoleRef().getName())
        .containsExactly("extension-apiserver-authentication-reader");
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("kube-controller-manager/home.yaml", Manifests.toYaml(home));
  }
}
