package dev.homecluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the simulated cluster promises: real API server validation and admission, real controllers
 * and scheduler, and seven fake nodes whose pods become Running.
 */
@SimulatedClusterTest
class SimulatedClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Set<String> MASTERS = Set.of("master-1", "master-2", "master-3");

  private static PodSpec pauseSpec() {
    return new PodSpecBuilder()
        .addNewContainer()
        .withName("pause")
        .withImage("registry.k8s.io/pause:3.10")
        .withNewResources()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("16Mi"))
        .endResources()
        .endContainer()
        .build();
  }

  private static boolean running(Pod pod) {
    return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
  }

  @Test
  void theSevenFakeNodesAreReadyWithTheirAddressesAndCapacity(
      KubernetesClient client, TestCluster cluster) {
    assumeFalse(cluster.fakeNodes().isEmpty(), cluster.kind() + " has no fake nodes");
    List<Node> nodes =
        client.nodes().list().getItems().stream()
            .filter(n -> n.getMetadata().getAnnotations() != null)
            .filter(
                n -> "fake".equals(n.getMetadata().getAnnotations().get(FakeNode.KWOK_ANNOTATION)))
            .toList();

    assertThat(nodes)
        .extracting(n -> n.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "master-1", "master-2", "master-3", "worker-1", "worker-2", "worker-3", "backup-1");
    assertThat(nodes)
        .allSatisfy(
            n ->
                assertThat(SimulatedCluster.isReady(n))
                    .as(n.getMetadata().getName() + " Ready")
                    .isTrue());
    Map<String, String> internalIps =
        nodes.stream()
            .collect(
                Collectors.toMap(
                    n -> n.getMetadata().getName(),
                    n ->
                        n.getStatus().getAddresses().stream()
                            .filter(a -> "InternalIP".equals(a.getType()))
                            .map(NodeAddress::getAddress)
                            .findFirst()
                            .orElse("none")));
    assertThat(internalIps)
        .containsEntry("master-1", "192.168.1.111")
        .containsEntry("master-3", "192.168.1.113")
        .containsEntry("worker-2", "192.168.1.132")
        .containsEntry("backup-1", "192.168.1.140");
    Node worker = client.nodes().withName("worker-1").get();
    assertThat(worker.getStatus().getAllocatable().get("memory")).isEqualTo(new Quantity("16Gi"));
    assertThat(worker.getMetadata().getLabels())
        .containsEntry("kubernetes.io/hostname", "worker-1")
        .containsEntry("kubernetes.io/os", "linux")
        .containsKey("node-role.kubernetes.io/worker");
  }

  @Test
  void aDaemonSetForMastersRunsExactlyOnePodOnEachOfTheThreeMasters(
      KubernetesClient client, TestCluster cluster) {
    assumeFalse(cluster.fakeNodes().isEmpty(), cluster.kind() + " has no master nodes");
    DaemonSet daemonSet =
        new DaemonSetBuilder()
            .withNewMetadata()
            .withName("on-masters")
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .addToMatchLabels("app", "on-masters")
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", "on-masters")
            .endMetadata()
            .withSpec(
                new PodSpecBuilder(pauseSpec())
                    .addToNodeSelector("node-role.kubernetes.io/control-plane", "")
                    // As every DaemonSet for masters: they may carry the control-plane taint.
                    .addNewToleration()
                    .withKey("node-role.kubernetes.io/control-plane")
                    .withOperator("Exists")
                    .withEffect("NoSchedule")
                    .endToleration()
                    .build())
            .endTemplate()
            .endSpec()
            .build();
    client.apps().daemonSets().resource(daemonSet).create();

    List<Pod> pods =
        Eventually.await(
            "3 Running pods of the DaemonSet",
            WAIT,
            () -> client.pods().withLabel("app", "on-masters").list().getItems(),
            list -> list.size() == 3 && list.stream().allMatch(SimulatedClusterIT::running));

    assertThat(pods)
        .extracting(p -> p.getSpec().getNodeName())
        .containsExactlyInAnyOrderElementsOf(MASTERS);
    DaemonSet status =
        Eventually.await(
            "DaemonSet status with 3 ready",
            WAIT,
            () -> client.apps().daemonSets().withName("on-masters").get(),
            ds -> ds.getStatus() != null && Objects.equals(ds.getStatus().getNumberReady(), 3));
    assertThat(status.getStatus().getDesiredNumberScheduled()).isEqualTo(3);
    assertThat(client.pods().withLabel("app", "on-masters").list().getItems()).hasSize(3);
  }

  @Test
  void aDeploymentsPodsAreScheduledAndRunning(KubernetesClient client, TestCluster cluster) {
    assumeFalse(cluster.fakeNodes().isEmpty(), cluster.kind() + " has no fake nodes");
    client
        .apps()
        .deployments()
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "web")
                .endMetadata()
                .withSpec(pauseSpec())
                .endTemplate()
                .endSpec()
                .build())
        .create();

    List<Pod> pods =
        Eventually.await(
            "2 Running pods of the Deployment",
            WAIT,
            () -> client.pods().withLabel("app", "web").list().getItems(),
            list -> list.size() == 2 && list.stream().allMatch(SimulatedClusterIT::running));
    assertThat(pods).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNotBlank());
    assertThat(pods).allSatisfy(p -> assertThat(p.getStatus().getPodIP()).isNotBlank());
  }

  @Test
  void aCronJobIsAcceptedAndAnInvalidScheduleIsRejected(KubernetesClient client) {
    CronJob cronJob =
        new CronJobBuilder()
            .withNewMetadata()
            .withName("nightly-rsync")
            .endMetadata()
            .withNewSpec()
            .withSchedule("0 3 * * *")
            .withTimeZone("Europe/Berlin")
            .withNewJobTemplate()
            .withNewSpec()
            .withNewTemplate()
            .withSpec(new PodSpecBuilder(pauseSpec()).withRestartPolicy("OnFailure").build())
            .endTemplate()
            .endSpec()
            .endJobTemplate()
            .endSpec()
            .build();

    CronJob created = client.batch().v1().cronjobs().resource(cronJob).create();

    assertThat(created.getMetadata().getUid()).isNotBlank();
    assertThat(created.getSpec().getSchedule()).isEqualTo("0 3 * * *");
    CronJob invalid =
        new CronJobBuilder(cronJob)
            .editMetadata()
            .withName("broken")
            .endMetadata()
            .editSpec()
            .withSchedule("every night")
            .endSpec()
            .build();
    assertThatThrownBy(() -> client.batch().v1().cronjobs().resource(invalid).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining("spec.schedule");
  }

  @Test
  void theApiServerRejectsAPodWithAnInvalidContainerName(KubernetesClient client) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("bad")
            .endMetadata()
            .withSpec(
                new PodSpecBuilder(pauseSpec())
                    .editFirstContainer()
                    .withName("Not_A_DNS_Label")
                    .endContainer()
                    .build())
            .build();

    assertThatThrownBy(() -> client.pods().resource(pod).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining("spec.containers[0].name")
        .hasMessageContaining("Invalid value: \"Not_A_DNS_Label\"")
        .hasMessageContaining("RFC 1123");
  }

  @Test
  void theHomeClusterCrdAcceptsTheDocumentedExample(KubernetesClient client) {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getMetadata().setName("accepted-" + suffix(client));
    try {
      HomeCluster created = client.resources(HomeCluster.class).resource(home).create();
      assertThat(created.getSpec().getNodes()).hasSize(7);
    } finally {
      client.resources(HomeCluster.class).withName(home.getMetadata().getName()).delete();
    }
  }

  @Test
  void theHomeClusterCrdRejectsAVipEqualToANodeAddress(KubernetesClient client) {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getMetadata().setName("vip-" + suffix(client));
    home.getSpec().getControlPlane().getEndpoint().setVip("192.168.1.111");

    assertThatThrownBy(() -> client.resources(HomeCluster.class).resource(home).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining("spec.controlPlane.endpoint.vip")
        .hasMessageContaining("controlPlane.endpoint.vip must not equal a node address");
  }

  @Test
  void theHomeClusterCrdRejectsDuplicateNodeNames(KubernetesClient client) {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getMetadata().setName("dup-" + suffix(client));
    List<NodeSpec> nodes = home.getSpec().getNodes();
    nodes.get(4).setName(nodes.get(3).getName());

    assertThatThrownBy(() -> client.resources(HomeCluster.class).resource(home).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining("node names must be unique");
  }

  @Test
  void aServiceAccountTokenAuthenticatesAndRbacAuthorizesIt(
      KubernetesClient client, Namespace namespace, TestCluster cluster) throws IOException {
    String ns = namespace.getMetadata().getName();
    client
        .serviceAccounts()
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("probe").endMetadata().build())
        .create();
    String token =
        client
            .serviceAccounts()
            .withName("probe")
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config admin = Config.fromKubeconfig(Files.readString(cluster.kubeconfig()));
    Config asProbe =
        new ConfigBuilder(admin)
            .withClientCertData(null)
            .withClientKeyData(null)
            .withClientCertFile(null)
            .withClientKeyFile(null)
            .withOauthToken(token)
            .build();

    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(asProbe).build()) {
      assertThatThrownBy(() -> probe.pods().inNamespace(ns).list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
          .hasMessageContaining("system:serviceaccount:" + ns + ":probe");

      client
          .rbac()
          .roles()
          .resource(
              new RoleBuilder()
                  .withNewMetadata()
                  .withName("read-pods")
                  .endMetadata()
                  .addNewRule()
                  .withApiGroups("")
                  .withResources("pods")
                  .withVerbs("list")
                  .endRule()
                  .build())
          .create();
      client
          .rbac()
          .roleBindings()
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName("probe-reads-pods")
                  .endMetadata()
                  .withNewRoleRef("rbac.authorization.k8s.io", "Role", "read-pods")
                  .addNewSubject()
                  .withKind("ServiceAccount")
                  .withName("probe")
                  .withNamespace(ns)
                  .endSubject()
                  .build())
          .create();

      Eventually.await(
          "the probe ServiceAccount may list pods",
          Duration.ofSeconds(15),
          () -> {
            try {
              return probe.pods().inNamespace(ns).list().getItems() != null;
            } catch (KubernetesClientException e) {
              return false;
            }
          },
          ok -> ok);
    }
  }

  @Test
  void theGarbageCollectorDeletesDependentsOfADeletedOwner(KubernetesClient client) {
    ConfigMap owner =
        client
            .configMaps()
            .resource(
                new ConfigMapBuilder().withNewMetadata().withName("owner").endMetadata().build())
            .create();
    client
        .configMaps()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("dependent")
                .addNewOwnerReference()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName("owner")
                .withUid(owner.getMetadata().getUid())
                .endOwnerReference()
                .endMetadata()
                .build())
        .create();

    client.configMaps().withName("owner").delete();

    Eventually.await(
        "the garbage collector deletes the dependent ConfigMap",
        WAIT,
        () -> client.configMaps().withName("dependent").get(),
        Objects::isNull);
  }

  @Test
  void theAdminCanReadApiServerMetrics(TestCluster cluster) {
    String metrics = cluster.client().raw("/metrics");

    assertThat(metrics).contains("apiserver_request_total");
  }

  private static String suffix(KubernetesClient client) {
    return client.getNamespace();
  }
}
