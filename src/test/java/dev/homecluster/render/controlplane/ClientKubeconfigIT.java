package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.pki.CertificateAuthority;
import dev.homecluster.pki.CertificateProfile;
import dev.homecluster.pki.ClusterCertificates;
import dev.homecluster.pki.IssuedCertificate;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimBuild;
import dev.homecluster.sim.SimulatedCluster;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered kubeconfigs of the controller-manager and the scheduler, used for real against the
 * simulated cluster's kube-apiserver v1.34, with client certificates of the rendered profiles
 * issued by that cluster's CA, and nothing bound for them: Kubernetes' default RBAC must be
 * enough. The scheduler is the real binary, started with the rendered flags.
 */
@SimulatedClusterTest
class ClientKubeconfigIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void theRealSchedulerWithTheRenderedFlagsAndKubeconfigTakesItsLeaseAndDelegatesAuthorization(
      TestCluster testCluster) throws Exception {
    SimulatedCluster sim = simulated(testCluster);
    KubernetesClient admin = testCluster.client();
    HomeCluster home = Examples.load(Examples.HOME);
    List<HasMetadata> objects = new SchedulerDeployment().render(RenderContext.of(home));
    Path kubeconfig = install(sim, objects, SchedulerDeployment.KUBECONFIG, ClusterCertificates.scheduler(), home);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    for (String flag : Rendered.find(objects, Deployment.class, Names.KUBE_SCHEDULER)
        .getSpec().getTemplate().getSpec().getContainers().get(0).getCommand()) {
      if (flag.equals("kube-scheduler")) {
        command.add(SimBuild.ensureBuilt().resolve("kube-scheduler").toString());
      } else if (flag.startsWith("--secure-port=")) {
        command.add("--secure-port=" + port); // 10259 may be taken on this machine
      } else {
        command.add(flag.replace(ClientKubeconfig.DIR + "/" + ClientKubeconfig.FILE, kubeconfig.toString()));
      }
    }
    command.add("--cert-dir=" + dir.resolve("serving")); // its self-signed serving certificate
    var lease = admin.leases().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.KUBE_SCHEDULER);
    lease.delete(); // the simulated cluster's own scheduler does not elect a leader
    Path log = dir.resolve("kube-scheduler.log");
    Process scheduler = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Lease held;
      try {
        held = Eventually.await("the scheduler holds kube-system/kube-scheduler", TIMEOUT, lease::get,
            l -> l != null && l.getSpec().getHolderIdentity() != null || !scheduler.isAlive());
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; kube-scheduler log:\n" + Files.readString(log), e);
      }
      assertThat(scheduler.isAlive()).as("kube-scheduler exited:%n%s", Files.readString(log)).isTrue();
      assertThat(held.getSpec().getHolderIdentity()).isNotBlank();

      // /metrics is authorized by a SubjectAccessReview the scheduler sends as itself, for a
      // client it authenticated with the client CA it read from kube-system: the admin.
      Config asAdmin = new ConfigBuilder(Config.fromKubeconfig(Files.readString(sim.kubeconfig())))
          .withMasterUrl("https://127.0.0.1:" + port)
          .withCaCertData(null).withCaCertFile(null)
          .withTrustCerts(true)
          .build();
      try (KubernetesClient metrics = new KubernetesClientBuilder().withConfig(asAdmin).build()) {
        String body = Eventually.await("the scheduler serves /metrics to the admin", TIMEOUT,
            () -> rawOrNull(metrics, "https://127.0.0.1:" + port + "/metrics"), b -> b != null);
        assertThat(body).contains("scheduler_");
      }
      assertThat(Files.readString(log)).as("kube-scheduler log").doesNotContain("forbidden");
    } finally {
      scheduler.destroy();
      if (!scheduler.waitFor(10, TimeUnit.SECONDS)) {
        scheduler.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      lease.delete();
    }
  }

  @Test
  void theControllerManagersKubeconfigIsTheBuiltInUserWithWhatItNeeds(TestCluster testCluster) throws Exception {
    Assumptions.assumeTrue(
        java.util.Arrays.stream(System.getenv("PATH").split(java.io.File.pathSeparator))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "kubectl"))),
        "kubectl is not installed; skipping");
    SimulatedCluster sim = simulated(testCluster);
    HomeCluster home = Examples.load(Examples.HOME);
    List<HasMetadata> objects = new ControllerManagerDeployment().render(RenderContext.of(home));
    Path kubeconfig = install(sim, objects, ControllerManagerDeployment.KUBECONFIG,
        ClusterCertificates.controllerManager(), home);

    // kubectl loads the kubeconfig with client-go, as the controller-manager does.
    assertThat(kubectl(kubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"))
        .isEqualTo("system:kube-controller-manager");
    for (List<String> check : List.of(
        List.of("create", "tokenreviews.authentication.k8s.io"),
        List.of("create", "subjectaccessreviews.authorization.k8s.io"),
        List.of("update", "leases.coordination.k8s.io/kube-controller-manager", "-n", "kube-system"),
        List.of("get", "configmaps/extension-apiserver-authentication", "-n", "kube-system"),
        // --use-service-account-credentials: a token for each controller's own account.
        List.of("create", "serviceaccounts", "--subresource=token", "-n", "kube-system"),
        List.of("list", "secrets", "--all-namespaces"))) {
      List<String> args = new ArrayList<>(List.of("auth", "can-i"));
      args.addAll(check);
      assertThat(kubectl(kubeconfig, args.toArray(String[]::new))).as(String.join(" ", check)).isEqualTo("yes");
    }
  }

  private static String kubectl(Path kubeconfig, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static SimulatedCluster simulated(TestCluster testCluster) {
    Assumptions.assumeTrue(testCluster.simulated().isPresent(),
        "needs the simulated cluster's CA key to issue client certificates");
    return testCluster.simulated().get();
  }

  /**
   * Writes the rendered kubeconfig and the files it names into the temporary directory, as the
   * pod would see them: the cluster's CA, and a client certificate of {@code profile} signed by
   * it. Only the paths and the server (the simulated cluster's instead of the VIP) change.
   */
  private Path install(SimulatedCluster sim, List<HasMetadata> objects, ClientKubeconfig client,
      CertificateProfile profile, HomeCluster home) throws Exception {
    Path pki = Files.createDirectories(dir.resolve("pki"));
    String caPem = Files.readString(sim.stateDir().resolve("pki/ca.crt"));
    CertificateAuthority ca = CertificateAuthority.parse(caPem, Files.readString(sim.stateDir().resolve("pki/ca.key")));
    IssuedCertificate issued = ca.issue(profile, Instant.now(), Duration.ofHours(1), new SecureRandom());
    Files.writeString(pki.resolve("ca.crt"), caPem);
    Files.writeString(Path.of(client.certFile().replace(ClientKubeconfig.PKI_DIR, pki.toString())), issued.certificatePem());
    Files.writeString(Path.of(client.keyFile().replace(ClientKubeconfig.PKI_DIR, pki.toString())), issued.privateKeyPem());
    String rendered = Rendered.find(objects, ConfigMap.class, client.configMap()).getData().get(ClientKubeconfig.FILE);
    String url = ApiEndpoint.of(home.getSpec()).url();
    assertThat(rendered).contains(url, ClientKubeconfig.PKI_DIR);
    Path kubeconfig = dir.resolve(client.configMap() + ".conf");
    Files.writeString(kubeconfig, rendered.replace(ClientKubeconfig.PKI_DIR, pki.toString()).replace(url, sim.server()));
    return kubeconfig;
  }

  private static String rawOrNull(KubernetesClient client, String url) {
    try {
      return client.raw(url);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
