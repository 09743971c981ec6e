package dev.homecluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.pki.Pem;
import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderBootstrapTest {
  @TempDir Path tmp;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Path bootstrap(String example) {
    Path dir = tmp.resolve("out");
    Run run =
        run("render", "--bootstrap", "-f", Examples.path(example).toString(), "-o", dir.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    return dir;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static X509Certificate clientCert(Config config) {
    return Pem.certificate(
        new String(Base64.getDecoder().decode(config.getClientCertData()), StandardCharsets.UTF_8));
  }

  private static X509Certificate caCert(Config config) {
    return Pem.certificate(
        new String(Base64.getDecoder().decode(config.getCaCertData()), StandardCharsets.UTF_8));
  }

  private static String subject(X509Certificate cert) {
    return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).toString();
  }

  @Test
  void kubeconfigsCarryClientCertificatesSignedByTheClusterCaAndPointAtTheRightServer()
      throws Exception {
    Path dir = bootstrap(Examples.HOME);
    X509Certificate ca = Pem.certificate(read(dir.resolve("etc/kubernetes/pki/ca.crt")));
    record Expect(String file, String server, String subject) {}
    List<Expect> expected =
        List.of(
            new Expect(
                "auth/admin.conf",
                "https://192.168.1.100:8443/",
                "O=system:masters,CN=kubernetes-admin"),
            new Expect(
                "etc/kubernetes/admin.conf",
                "https://192.168.1.100:8443/",
                "O=system:masters,CN=kubernetes-admin"),
            new Expect(
                "etc/kubernetes/controller-manager.conf",
                "https://127.0.0.1:6443/",
                "CN=system:kube-controller-manager"),
            new Expect(
                "etc/kubernetes/scheduler.conf",
                "https://127.0.0.1:6443/",
                "CN=system:kube-scheduler"),
            new Expect(
                "etc/kubernetes/kubelet.conf",
                "https://192.168.1.111:6443/",
                "O=system:nodes,CN=system:node:master-1"),
            new Expect(
                "nodes/master-2/etc/kubernetes/kubelet.conf",
                "https://192.168.1.100:8443/",
                "O=system:nodes,CN=system:node:master-2"),
            new Expect(
                "nodes/worker-1/etc/kubernetes/kubelet.conf",
                "https://192.168.1.100:8443/",
                "O=system:nodes,CN=system:node:worker-1"),
            new Expect(
                "nodes/backup-1/etc/kubernetes/kubelet.conf",
                "https://192.168.1.100:8443/",
                "O=system:nodes,CN=system:node:backup-1"));
    for (Expect e : expected) {
      Config config = Config.fromKubeconfig(read(dir.resolve(e.file())));
      assertThat(config.getMasterUrl()).as(e.file()).isEqualTo(e.server());
      assertThat(caCert(config)).as(e.file()).isEqualTo(ca);
      X509Certificate client = clientCert(config);
      assertThat(subject(client)).as(e.file()).isEqualTo(e.subject());
      assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
      client.verify(ca.getPublicKey());
      assertThat(
              new String(
                  Base64.getDecoder().decode(config.getClientKeyData()), StandardCharsets.UTF_8))
          .startsWith("-----BEGIN EC PRIVATE KEY-----");
    }
  }

  /**
   * {@code homecluster operator --kubeconfig auth/admin.conf}: the fabric8 client builds its TLS
   * key managers from the kubeconfig's client key, which failed for a PKCS#8 EC key ("Invalid DER:
   * object is not integer"). No server is needed to get that far.
   */
  @Test
  void theOperatorsKubernetesClientReadsEveryKubeconfigWritten() throws Exception {
    Path dir = bootstrap(Examples.HOME);
    for (String file : List.of("auth/admin.conf", "etc/kubernetes/admin.conf", "etc/kubernetes/kubelet.conf")) {
      Config config = Config.fromKubeconfig(read(dir.resolve(file)));
      javax.net.ssl.KeyManager[] keyManagers = io.fabric8.kubernetes.client.internal.SSLUtils.keyManagers(config);
      assertThat(keyManagers).as(file).isNotEmpty();
      javax.net.ssl.X509KeyManager x509 = (javax.net.ssl.X509KeyManager) keyManagers[0];
      String alias = x509.chooseClientAlias(new String[] {"EC"}, null, null);
      assertThat(alias).as(file).isNotNull();
      assertThat(x509.getCertificateChain(alias)[0]).isEqualTo(clientCert(config));
      assertThat(x509.getPrivateKey(alias).getAlgorithm()).isIn("EC", "ECDSA");
      assertThat(
              dev.homecluster.pki.EcKeyPairs.matches(
                  clientCert(config).getPublicKey(),
                  Pem.privateKey(new String(Base64.getDecoder().decode(config.getClientKeyData()), StandardCharsets.UTF_8))))
          .as(file)
          .isTrue();
      try (var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build()) {
        assertThat(client.getMasterUrl()).as(file).isNotNull();
      }
    }
  }

  @Test
  void everyFileIsReadableByItsOwnerOnlyAndTheWarningIsOneLine() throws Exception {
    Path dir = tmp.resolve("out");
    Run run =
        run(
            "render",
            "--bootstrap",
            "-f",
            Examples.path(Examples.HOME).toString(),
            "-o",
            dir.toString());

    assertThat(run.err().strip()).startsWith("homecluster: warning: ").doesNotContain("\n");
    assertThat(run.out()).contains("files to " + dir);
    List<Path> all;
    try (Stream<Path> walk = Files.walk(dir)) {
      all = walk.toList();
    }
    assertThat(all).hasSizeGreaterThan(100);
    for (Path p : all) {
      String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
      assertThat(mode)
          .as(dir.relativize(p).toString())
          .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
    }
  }

  @Test
  void hostPkiAndSecretsHoldTheSameCertificates() throws Exception {
    Path dir = bootstrap(Examples.HOME);
    assertThat(read(dir.resolve("etc/kubernetes/pki/apiserver.crt")))
        .isEqualTo(read(dir.resolve("tls/" + Names.APISERVER_SERVING_SECRET + "/tls.crt")));
    assertThat(read(dir.resolve("etc/kubernetes/pki/etcd/server.crt")))
        .isEqualTo(read(dir.resolve("tls/" + Names.ETCD_MEMBERS_SECRET + "/master-1.server.crt")));
    assertThat(read(dir.resolve("nodes/master-3/etc/kubernetes/pki/etcd/peer.key")))
        .isEqualTo(read(dir.resolve("tls/" + Names.ETCD_MEMBERS_SECRET + "/master-3.peer.key")));
    X509Certificate serving =
        Pem.certificate(read(dir.resolve("etc/kubernetes/pki/apiserver.crt")));
    assertThat(serving.getSubjectAlternativeNames()).anyMatch(n -> n.get(1).equals("10.96.0.1"));
    // The temporary controller-manager and scheduler are the same users, with the same
    // certificates, as the Deployments that replace them.
    assertThat(clientCert(Config.fromKubeconfig(read(dir.resolve("etc/kubernetes/controller-manager.conf")))))
        .isEqualTo(Pem.certificate(read(dir.resolve("tls/" + Names.CONTROLLER_MANAGER_CLIENT_SECRET + "/tls.crt"))));
    assertThat(clientCert(Config.fromKubeconfig(read(dir.resolve("etc/kubernetes/scheduler.conf")))))
        .isEqualTo(Pem.certificate(read(dir.resolve("tls/" + Names.SCHEDULER_CLIENT_SECRET + "/tls.crt"))));

    List<String> secretFiles = list(dir.resolve("secrets"));
    assertThat(secretFiles)
        .hasSize(14)
        .contains(
            Names.CLUSTER_CA_SECRET + ".yaml",
            Names.ENCRYPTION_CONFIG_SECRET + ".yaml",
            Names.VRRP_AUTH_SECRET + ".yaml");
    for (String f : secretFiles) {
      Secret secret =
          Serialization.unmarshal(read(dir.resolve("secrets").resolve(f)), Secret.class);
      assertThat(secret.getMetadata().getNamespace()).isEqualTo(Names.CONTROL_PLANE_NAMESPACE);
      assertThat(secret.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/managed-by", Names.OPERATOR)
          .containsEntry("app.kubernetes.io/component", Names.PKI);
      assertThat(secret.getData().keySet())
          .containsExactlyInAnyOrderElementsOf(
              list(dir.resolve("tls").resolve(secret.getMetadata().getName())));
    }
  }

  @Test
  void etcdRunsOnEveryMasterAndOnlyOnMasters() {
    Path dir = bootstrap(Examples.HOME);
    String initialCluster =
        "--initial-cluster=master-1=https://192.168.1.111:2380,master-2=https://192.168.1.112:2380,master-3=https://192.168.1.113:2380";

    Pod first =
        Serialization.unmarshal(read(dir.resolve("bootstrap-manifests/etcd.yaml")), Pod.class);
    assertThat(first.getSpec().getContainers().get(0).getCommand())
        .contains(
            initialCluster,
            "--name=master-1",
            "--client-cert-auth=true",
            "--peer-client-cert-auth=true");
    for (String master : List.of("master-2", "master-3")) {
      Pod pod =
          Serialization.unmarshal(
              read(dir.resolve("nodes/" + master + "/etc/kubernetes/manifests/etcd.yaml")),
              Pod.class);
      assertThat(pod.getSpec().getContainers().get(0).getCommand())
          .contains(initialCluster, "--name=" + master);
      assertThat(pod.getSpec().getHostNetwork()).isTrue();
      X509Certificate server =
          Pem.certificate(
              read(dir.resolve("nodes/" + master + "/etc/kubernetes/pki/etcd/server.crt")));
      assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=" + master);
    }
    for (String other : List.of("worker-1", "worker-2", "worker-3", "backup-1")) {
      assertThat(dir.resolve("nodes/" + other + "/etc/kubernetes/manifests")).doesNotExist();
      assertThat(dir.resolve("nodes/" + other + "/etc/kubernetes/pki/etcd")).doesNotExist();
    }
    assertThat(dir.resolve("nodes/master-1")).doesNotExist();
  }

  @Test
  void everyHostFileTheTemporaryControlPlaneNamesIsWritten() {
    Path dir = bootstrap(Examples.HOME);
    List<String> referenced = new ArrayList<>();
    for (String name :
        List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")) {
      Pod pod =
          Serialization.unmarshal(
              read(dir.resolve("bootstrap-manifests/" + name + ".yaml")), Pod.class);
      assertThat(pod.getMetadata().getNamespace()).isEqualTo("kube-system");
      assertThat(pod.getSpec().getHostNetwork()).isTrue();
      for (String arg : pod.getSpec().getContainers().get(0).getCommand()) {
        int at = arg.indexOf("=/etc/kubernetes/");
        if (at > 0) {
          referenced.add(arg.substring(at + 2));
        }
      }
      pod.getSpec().getVolumes().stream()
          .filter(v -> v.getHostPath().getPath().startsWith("/etc/kubernetes"))
          .forEach(v -> referenced.add(v.getHostPath().getPath().substring(1)));
    }
    assertThat(referenced).hasSizeGreaterThan(25);
    assertThat(referenced).allSatisfy(p -> assertThat(dir.resolve(p)).exists());
    Pod apiserver =
        Serialization.unmarshal(
            read(dir.resolve("bootstrap-manifests/kube-apiserver.yaml")), Pod.class);
    assertThat(apiserver.getSpec().getContainers().get(0).getCommand())
        .contains(
            "--secure-port=6443",
            "--anonymous-auth=false",
            "--etcd-servers=https://192.168.1.111:2379,https://192.168.1.112:2379,https://192.168.1.113:2379",
            "--service-cluster-ip-range=10.96.0.0/12",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--encryption-provider-config=/etc/kubernetes/pki/encryption-config.yaml");
    assertThat(apiserver.getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.k8s.io/kube-apiserver:v1.34.2");
  }

  @Test
  void manifestsHoldTheRenderOutputWithTheInputHashesTheOperatorComputesFromTheSecretsWritten() {
    Path dir = bootstrap(Examples.HOME);
    Run render = run("render", "-f", Examples.path(Examples.HOME).toString());

    StringBuilder all = new StringBuilder();
    list(dir.resolve("manifests"))
        .forEach(f -> all.append(read(dir.resolve("manifests").resolve(f))));
    // Only the input-hash annotations differ from plain render (which has no Secrets to hash).
    java.util.function.Function<String, String> withoutHashes =
        yaml -> yaml.replaceAll("homecluster.dev/input-hash: .*", "homecluster.dev/input-hash: X");
    assertThat(withoutHashes.apply(all.toString())).isEqualTo(withoutHashes.apply(render.out()));
    assertThat(list(dir.resolve("manifests"))).first().isEqualTo("01-node-roles.yaml");

    // What the operator's first reconcile renders, given these Secrets as kubectl stored them
    // (labelled "pki", not by a generator): the same workloads, so it rolls none of them.
    List<Secret> stored = new ArrayList<>();
    for (String f : list(dir.resolve("secrets"))) {
      stored.add(Serialization.unmarshal(read(dir.resolve("secrets").resolve(f)), Secret.class));
    }
    java.util.Map<String, String> inputs = new java.util.TreeMap<>(dev.homecluster.operator.RuntimeSecretsHash.perSecret(stored));
    inputs.put(dev.homecluster.render.Names.RUNTIME_SECRETS_HASH, "first-reconcile");
    String operatorRender =
        dev.homecluster.yaml.Manifests.toYaml(
            new dev.homecluster.render.Renderer()
                .render(new dev.homecluster.render.RenderContext(Examples.load(Examples.HOME), inputs))
                .objects());
    assertThat(all.toString()).isEqualTo(operatorRender);
    assertThat(all.toString()).doesNotContain("homecluster.dev/input-hash: \"\"");
  }

  @Test
  void plainRenderPrintsNoKeyMaterialForAnyExample() {
    for (String example : Examples.all()) {
      Run render = run("render", "-f", Examples.path(example).toString());
      assertThat(render.exit()).isZero();
      assertThat(render.out())
          .as(example)
          .doesNotContain("PRIVATE KEY")
          .doesNotContain("kind: Secret");
    }
  }

  @Test
  void refusesANonEmptyDirectoryAndMismatchedOptions() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("used"));
    Files.writeString(dir.resolve("keep.txt"), "mine");

    Run run =
        run(
            "render",
            "--bootstrap",
            "-f",
            Examples.path(Examples.HOME).toString(),
            "-o",
            dir.toString());
    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).contains("not empty");
    assertThat(list(dir)).containsExactly("keep.txt");

    assertThat(run("render", "--bootstrap", "-f", Examples.path(Examples.HOME).toString()).exit())
        .isEqualTo(Main.EXIT_USAGE);
    assertThat(
            run(
                    "render",
                    "-o",
                    tmp.resolve("x").toString(),
                    "-f",
                    Examples.path(Examples.HOME).toString())
                .exit())
        .isEqualTo(Main.EXIT_USAGE);
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  @Test
  void aOneMachineLabBootstrapsWithNoOtherNodes() {
    Path dir = bootstrap(Examples.ONE_BOX_LAB);
    assertThat(dir.resolve("nodes")).doesNotExist();
    Pod etcd =
        Serialization.unmarshal(read(dir.resolve("bootstrap-manifests/etcd.yaml")), Pod.class);
    assertThat(etcd.getSpec().getContainers().get(0).getCommand())
        .contains("--initial-cluster=lab-1=https://192.168.1.50:2380");
  }

  @Test
  void reusedSecretsKeepTheClusterIdentityAndOnlyWhatTheSpecNowNeedsIsReissued() throws Exception {
    Path first = bootstrap(Examples.HOME);
    Path moved = tmp.resolve("moved.yaml");
    Files.writeString(
        moved,
        read(Examples.path(Examples.HOME)).replace("vip: 192.168.1.100", "vip: 192.168.1.99"));
    Path second = tmp.resolve("second");

    Run run =
        run(
            "render",
            "--bootstrap",
            "-f",
            moved.toString(),
            "-o",
            second.toString(),
            "--reuse-secrets",
            first.resolve("secrets").toString());

    assertThat(run.exit()).as(run.err()).isZero();
    for (String f : list(first.resolve("secrets"))) {
      Secret before =
          Serialization.unmarshal(read(first.resolve("secrets").resolve(f)), Secret.class);
      Secret after =
          Serialization.unmarshal(read(second.resolve("secrets").resolve(f)), Secret.class);
      if (f.equals(Names.APISERVER_SERVING_SECRET + ".yaml")) {
        assertThat(after.getData().get("tls.crt")).isNotEqualTo(before.getData().get("tls.crt"));
        assertThat(after.getData().get("ca.crt")).isEqualTo(before.getData().get("ca.crt"));
      } else {
        assertThat(after.getData()).as(f).isEqualTo(before.getData());
      }
    }
    assertThat(Config.fromKubeconfig(read(second.resolve("auth/admin.conf"))).getMasterUrl())
        .isEqualTo("https://192.168.1.99:8443/");
    X509Certificate serving =
        Pem.certificate(read(second.resolve("etc/kubernetes/pki/apiserver.crt")));
    assertThat(serving.getSubjectAlternativeNames()).anyMatch(n -> n.get(1).equals("192.168.1.99"));
  }

  @Test
  void secretsExportedWithKubectlAreReusedAndForeignSecretsIgnored() throws Exception {
    Path first = bootstrap(Examples.HOME);
    List<io.fabric8.kubernetes.api.model.HasMetadata> items = new ArrayList<>();
    for (String f : list(first.resolve("secrets"))) {
      items.add(Serialization.unmarshal(read(first.resolve("secrets").resolve(f)), Secret.class));
    }
    items.add(
        new io.fabric8.kubernetes.api.model.SecretBuilder()
            .withNewMetadata()
            .withName("someone-elses")
            .withNamespace("kube-system")
            .endMetadata()
            .addToStringData("x", "y")
            .build());
    Path export = tmp.resolve("export.yaml");
    Files.writeString(
        export,
        Serialization.asYaml(
            new io.fabric8.kubernetes.api.model.KubernetesListBuilder().withItems(items).build()));
    Path second = tmp.resolve("second");

    Run run =
        run(
            "render",
            "--bootstrap",
            "-f",
            Examples.path(Examples.HOME).toString(),
            "-o",
            second.toString(),
            "--reuse-secrets",
            export.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(list(second.resolve("secrets"))).isEqualTo(list(first.resolve("secrets")));
    assertThat(read(second.resolve("etc/kubernetes/pki/ca.key")))
        .isEqualTo(read(first.resolve("etc/kubernetes/pki/ca.key")));
    assertThat(read(second.resolve("etc/kubernetes/pki/encryption-config.yaml")))
        .isEqualTo(read(first.resolve("etc/kubernetes/pki/encryption-config.yaml")));
  }

  @Test
  void anUnusableReusedCaStopsTheBootstrapWithoutWritingAnything() throws Exception {
    Path first = bootstrap(Examples.HOME);
    Path ca = first.resolve("secrets/" + Names.CLUSTER_CA_SECRET + ".yaml");
    Secret secret = Serialization.unmarshal(read(ca), Secret.class);
    secret.getData().remove("ca.key");
    Files.writeString(ca, Serialization.asYaml(secret));
    Path second = tmp.resolve("second");

    Run run =
        run(
            "render",
            "--bootstrap",
            "-f",
            Examples.path(Examples.HOME).toString(),
            "-o",
            second.toString(),
            "--reuse-secrets",
            first.resolve("secrets").toString());

    assertThat(run.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).contains("kube-system/homecluster-ca has no ca.key");
    assertThat(second).doesNotExist();
  }

  /**
   * docs/bootstrap.md step 7 ends by pointing the first master's kubelet at the VIP with a sed
   * command; applied to the rendered kubelet.conf it must name the VIP (which the serving
   * certificate covers) and change nothing else, or a reboot of the first master alone leaves it
   * waiting for its own apiserver.
   */
  @Test
  void theDocumentedPivotStepPointsTheFirstMastersKubeletAtTheVip() throws Exception {
    Path dir = bootstrap(Examples.HOME);
    String docs = read(Examples.repoRoot().resolve("docs/bootstrap.md"));
    java.util.regex.Matcher step =
        java.util.regex.Pattern.compile("sed -i 's#([^#]+)#([^#]+)#' /etc/kubernetes/kubelet.conf").matcher(docs);
    assertThat(step.find()).as("the kubelet.conf step in docs/bootstrap.md").isTrue();
    Path kubeletConf = dir.resolve("etc/kubernetes/kubelet.conf");
    Config before = Config.fromKubeconfig(read(kubeletConf));
    assertThat(before.getMasterUrl()).isEqualTo(step.group(1) + "/");

    Process sed =
        new ProcessBuilder("sed", "-i", "s#" + step.group(1) + "#" + step.group(2) + "#", kubeletConf.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(sed.waitFor()).isZero();

    Config after = Config.fromKubeconfig(read(kubeletConf));
    assertThat(after.getMasterUrl()).isEqualTo("https://192.168.1.100:8443/");
    assertThat(after.getMasterUrl())
        .isEqualTo(Config.fromKubeconfig(read(dir.resolve("nodes/master-2/etc/kubernetes/kubelet.conf"))).getMasterUrl());
    assertThat(after.getClientCertData()).isEqualTo(before.getClientCertData());
    assertThat(after.getClientKeyData()).isEqualTo(before.getClientKeyData());
    assertThat(after.getCaCertData()).isEqualTo(before.getCaCertData());
    X509Certificate serving = Pem.certificate(read(dir.resolve("etc/kubernetes/pki/apiserver.crt")));
    assertThat(serving.getSubjectAlternativeNames()).anyMatch(san -> san.get(1).equals("192.168.1.100"));
  }

  @Test
  void kubectlReadsEveryKubeconfigWritten() throws Exception {
    boolean kubectl =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "kubectl")));
    org.junit.jupiter.api.Assumptions.assumeTrue(kubectl, "kubectl is not installed; skipping");
    Path dir = bootstrap(Examples.HOME);
    List<Path> kubeconfigs;
    try (Stream<Path> walk = Files.walk(dir)) {
      kubeconfigs = walk.filter(p -> p.toString().endsWith(".conf")).toList();
    }
    assertThat(kubeconfigs).hasSize(11);
    for (Path kubeconfig : kubeconfigs) {
      Process p =
          new ProcessBuilder(
                  "kubectl",
                  "--kubeconfig=" + kubeconfig,
                  "config",
                  "view",
                  "--minify",
                  "-o",
                  "jsonpath={.clusters[0].cluster.server} {.contexts[0].context.user}")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(kubeconfig + ": " + out).isZero();
      assertThat(out).as(kubeconfig.toString()).matches("https://[0-9.]+:(6443|8443) \\S+");
    }
  }

  private static List<String> list(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
