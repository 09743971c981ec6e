package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs pod-checkpointer.sh for real (sh + jq) against temporary directories, with the rendered
 * kube-apiserver pod of the documented cluster as the API would return it.
 */
class PodCheckpointerScriptTest {
  private static final String NODE = "master-1";
  /** When this node last booted, as its /proc/stat says. */
  private static final Instant BOOT = Instant.parse("2026-12-01T10:00:00Z");
  private static final String TCP_HEADER =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
  /** A listener on 0.0.0.0:6443 (0x192B, state 0A = LISTEN). */
  private static final String LISTEN_6443 =
      "   0: 00000000:192B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0\n";

  @TempDir Path root;
  private Path input;
  private Path manifests;
  private Path checkpoints;
  private Path copy;
  private Path proc;

  @BeforeEach
  void dirs() throws IOException {
    proc = Files.createDirectories(root.resolve("proc/net")).getParent();
    Files.writeString(proc.resolve("stat"), "cpu  1 2 3 4\nbtime " + BOOT.getEpochSecond() + "\nprocesses 100\n");
    portListenedOn(false);
    input = Files.createDirectories(root.resolve("input"));
    Files.createDirectories(input.resolve("secrets"));
    Files.createDirectories(input.resolve("configmaps"));
    manifests = root.resolve("etc/kubernetes/manifests");
    checkpoints = root.resolve("etc/kubernetes/checkpoints");
    copy = manifests.resolve("kube-apiserver.checkpoint.yaml");
    writeSecretsAndConfigMaps();
  }

  private Map<String, String> env() {
    return Map.of(
        "NODE_NAME", NODE,
        "INPUT_DIR", input.toString(),
        "MANIFESTS_DIR", manifests.toString(),
        "CHECKPOINT_DIR", checkpoints.toString(),
        "IMAGE", PodCheckpointerDaemonSet.IMAGE,
        "GRACE", "30",
        "PROC_DIR", proc.toString(),
        "PROC_NET_DIR", proc.resolve("net").toString());
  }

  /** What this node's /proc/net/tcp shows: 6443 listened on, or nothing. */
  private void portListenedOn(boolean listening) throws IOException {
    Files.writeString(proc.resolve("net/tcp"), TCP_HEADER + (listening ? LISTEN_6443 : ""));
  }

  private ScriptRun sync() {
    ScriptRun run = ScriptRun.run(PodCheckpointerDaemonSet.SCRIPT, env(), "sync");
    assertThat(run.exitCode()).as(run.output()).isZero();
    return run;
  }

  /** The rendered apiserver pod template as a pod the DaemonSet placed on master-1. */
  private static Pod apiServerPod(String phase, boolean ready) {
    return apiServerPod(phase, ready, null);
  }

  /**
   * The apiserver pod whose container the kubelet reports started at {@code started} (running
   * when Ready, else exited, as when it could not bind the copy's port); null: no status.
   */
  private static Pod apiServerPod(String phase, boolean ready, Instant started) {
    DaemonSet ds =
        Rendered.find(
            Rendered.component(Examples.HOME, Names.KUBE_APISERVER), DaemonSet.class, Names.KUBE_APISERVER);
    return new PodBuilder()
        .withMetadata(ds.getSpec().getTemplate().getMetadata())
        .editMetadata()
        .withName("kube-apiserver-x7k2p")
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("DaemonSet")
        .withName(Names.KUBE_APISERVER)
        .withUid("0b5e3c1c-1111-2222-3333-444455556666")
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .withSpec(ds.getSpec().getTemplate().getSpec())
        .editSpec()
        .withNodeName(NODE)
        .withServiceAccountName("default")
        .withPriority(2000000000)
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .withContainerStatuses(containerStatus(Names.KUBE_APISERVER, started, ready))
        .endStatus()
        .build();
  }

  private static List<ContainerStatus> containerStatus(String name, Instant started, boolean running) {
    if (started == null) {
      return List.of();
    }
    ContainerStatusBuilder status = new ContainerStatusBuilder().withName(name).withReady(running);
    if (running) {
      status.withNewState().withNewRunning().withStartedAt(started.toString()).endRunning().endState();
    } else {
      status
          .withNewState()
          .withNewTerminated()
          .withExitCode(1)
          .withStartedAt(started.toString())
          .withFinishedAt(started.plusSeconds(1).toString())
          .endTerminated()
          .endState();
    }
    return List.of(status.build());
  }

  /** The mirror pod of the checkpointed copy, standing by (no container started yet). */
  private static Pod mirrorPod(String phase) {
    return mirrorPod(phase, null);
  }

  /** The mirror pod the kubelet creates for the checkpointed copy, its container running since {@code started}. */
  private static Pod mirrorPod(String phase, Instant started) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("kube-apiserver-" + NODE)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .addToAnnotations("kubernetes.io/config.mirror", "3f2a")
        .addToLabels("checkpointer.homecluster.dev/checkpoint-of", Names.KUBE_APISERVER)
        .endMetadata()
        .withNewSpec()
        .withNodeName(NODE)
        .addNewContainer()
        .withName("kube-apiserver")
        .withImage("registry.k8s.io/kube-apiserver:v1.34.2")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .withContainerStatuses(containerStatus("kube-apiserver", started, true))
        .endStatus()
        .build();
  }

  private static Pod otherPod() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("kube-proxy-abcde")
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withNodeName(NODE)
        .addNewContainer()
        .withName("kube-proxy")
        .withImage("registry.k8s.io/kube-proxy:v1.34.2")
        .addNewPort()
        .withContainerPort(10249)
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .endStatus()
        .build();
  }

  private void apiSees(Pod... pods) throws IOException {
    Files.writeString(
        input.resolve("pods.json"),
        Serialization.asJson(new PodListBuilder().withItems(pods).build()));
  }

  /** Secret contents: each key's value names its Secret and key, so the test can check paths. */
  private static String value(String secret, String key) {
    return secret + "/" + key + "\n";
  }

  private void writeSecretsAndConfigMaps() throws IOException {
    for (VolumeProjection source : apiServerPod("Running", true).getSpec().getVolumes().get(0).getProjected().getSources()) {
      if (source.getSecret() != null) {
        String name = source.getSecret().getName();
        Map<String, String> data = new TreeMap<>();
        for (KeyToPath item : source.getSecret().getItems()) {
          data.put(item.getKey(), Base64.getEncoder().encodeToString(value(name, item.getKey()).getBytes(StandardCharsets.UTF_8)));
        }
        Files.writeString(
            input.resolve("secrets/" + name + ".json"),
            Serialization.asJson(new SecretBuilder().withNewMetadata().withName(name).endMetadata().withData(data).build()));
      } else {
        // The apiserver's ConfigMaps as rendered (authentication configuration, audit policy).
        String name = source.getConfigMap().getName();
        io.fabric8.kubernetes.api.model.ConfigMap rendered =
            dev.homecluster.testing.Rendered.find(
                dev.homecluster.testing.Rendered.component(dev.homecluster.testing.Examples.HOME, Names.KUBE_APISERVER),
                io.fabric8.kubernetes.api.model.ConfigMap.class,
                name);
        Files.writeString(
            input.resolve("configmaps/" + name + ".json"),
            Serialization.asJson(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .endMetadata()
                    .withData(rendered.getData())
                    .build()));
      }
    }
  }

  @Test
  void writesAStaticCopyOfTheReadyApiserverWithItsSecretsOnTheHost() throws IOException {
    apiSees(apiServerPod("Running", true), otherPod());

    sync();

    Pod staticPod = Serialization.unmarshal(Files.readString(copy), Pod.class);
    assertThat(staticPod.getMetadata().getName()).isEqualTo(Names.KUBE_APISERVER);
    assertThat(staticPod.getMetadata().getAnnotations()).doesNotContainKey(Names.CHECKPOINT_ANNOTATION);
    // The DaemonSet must not adopt the mirror pod: none of its selector labels.
    assertThat(staticPod.getMetadata().getLabels()).doesNotContainKeys("app.kubernetes.io/name", "app.kubernetes.io/part-of");
    assertThat(staticPod.getSpec().getNodeName()).isNull();
    assertThat(staticPod.getSpec().getServiceAccountName()).isNull();
    assertThat(staticPod.getSpec().getHostNetwork()).isTrue();
    assertThat(staticPod.getSpec().getContainers().get(0).getCommand())
        .isEqualTo(apiServerPod("Running", true).getSpec().getContainers().get(0).getCommand());
    assertThat(staticPod.getSpec().getVolumes())
        .allSatisfy(v -> {
          assertThat(v.getHostPath()).as(v.getName()).isNotNull();
          assertThat(v.getSecret()).isNull();
          assertThat(v.getProjected()).isNull();
        });
    assertThat(staticPod.getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals("pki"))
        .singleElement()
        .satisfies(v -> assertThat(v.getHostPath().getPath()).isEqualTo(checkpoints + "/kube-apiserver/volumes/pki"));
    assertThat(staticPod.getSpec().getInitContainers().get(0).getCommand())
        .containsSubsequence("wait-ports-free", "30", "6443");

    Path pki = checkpoints.resolve("kube-apiserver/volumes/pki");
    assertThat(pki.resolve("apiserver.key")).hasContent(value(Names.APISERVER_SERVING_SECRET, "tls.key").strip());
    assertThat(pki.resolve("etcd/ca.crt")).hasContent(value(Names.APISERVER_ETCD_CLIENT_SECRET, "ca.crt").strip());
    assertThat(Files.readString(pki.resolve(ApiServerAuthenticationConfig.FILE))).isEqualTo(ApiServerAuthenticationConfig.yaml());
    // A power-cycled master keeps auditing: the copy has the policy its flags name.
    assertThat(Files.readString(pki.resolve(ApiServerAuditPolicy.FILE))).isEqualTo(ApiServerAuditPolicy.yaml());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.resolve("sa.key")))).isEqualTo("rw-------");
    assertThat(checkpoints.resolve("pod-checkpointer.sh")).hasSameTextualContentAs(ScriptRun.script(PodCheckpointerDaemonSet.SCRIPT));
    assertThat(manifests.resolve("kube-proxy.checkpoint.yaml")).doesNotExist();
  }

  /**
   * The fake API serves what {@link #dirs} wrote as the checkpointer's input (pods, Secrets,
   * ConfigMaps), and the input directory is emptied, so only a fetch through kubectl refills it.
   */
  private FakeApiServer fakeApi(Path serviceAccount) throws Exception {
    FakeApiServer api = new FakeApiServer("sa-token-of-the-checkpointer");
    Files.createDirectories(serviceAccount);
    Files.writeString(serviceAccount.resolve("token"), "sa-token-of-the-checkpointer");
    Files.writeString(serviceAccount.resolve("ca.crt"), api.caPem());
    api.answer(
        "/api/v1/namespaces/kube-system/pods",
        Serialization.asJson(new PodListBuilder().withItems(apiServerPod("Running", true), otherPod()).build()));
    for (String kind : List.of("secrets", "configmaps")) {
      try (var files = Files.list(input.resolve(kind))) {
        for (Path file : files.toList()) {
          String name = file.getFileName().toString().replaceFirst("\\.json$", "");
          api.answer("/api/v1/namespaces/kube-system/" + kind + "/" + name, Files.readString(file));
          Files.delete(file);
        }
      }
    }
    return api;
  }

  private Map<String, String> fetchEnv(Path serviceAccount, Map<String, String> extra) {
    Map<String, String> env = new TreeMap<>(env());
    env.put("SA_DIR", serviceAccount.toString());
    env.put("HOME", root.resolve("home").toString());
    env.put("KUBECONFIG", "");
    env.put("KUBECTL", "kubectl");
    env.putAll(extra);
    return env;
  }

  @Test
  void fetchReachesTheApiWithTheServiceAccountThroughTheVipUsingTheRealKubectl() throws Exception {
    Path serviceAccount = root.resolve("serviceaccount");
    try (FakeApiServer api = fakeApi(serviceAccount)) {
      Map<String, String> env =
          fetchEnv(
              serviceAccount,
              Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", String.valueOf(api.port())));

      ScriptRun run = ScriptRun.run(PodCheckpointerDaemonSet.SCRIPT, env, "fetch");

      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output()).doesNotContain("localhost:8080").doesNotContain("unreachable");
      assertThat(api.requests)
          .anyMatch(r -> r.startsWith("GET /api/v1/namespaces/kube-system/pods?fieldSelector=spec.nodeName%3D" + NODE + "&"))
          .anyMatch(r -> r.startsWith("GET /api/v1/namespaces/kube-system/secrets/" + Names.SERVICE_ACCOUNT_KEY_SECRET + "?"));
      assertThat(api.unauthorized).as("requests without the ServiceAccount token").isZero();
      assertThat(Serialization.unmarshal(Files.readString(input.resolve("pods.json")), PodList.class).getItems())
          .extracting(p -> p.getMetadata().getName())
          .containsExactly("kube-apiserver-x7k2p", "kube-proxy-abcde");
      for (String secret : ApiServerDaemonSet.SECRETS) {
        assertThat(input.resolve("secrets/" + secret + ".json")).as(secret).exists();
      }
      // And what it fetched is enough for a copy.
      sync();
      assertThat(copy).exists();
    }
  }

  @Test
  void fetchFallsBackToThisNodesOwnApiserverWhenTheVipIsDown() throws Exception {
    Path serviceAccount = root.resolve("serviceaccount");
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (FakeApiServer api = fakeApi(serviceAccount)) {
      // After a power cut: nothing behind the VIP yet, but this node's own apiserver (the copy)
      // answers on the node's address.
      Map<String, String> env =
          fetchEnv(
              serviceAccount,
              Map.of(
                  "KUBERNETES_SERVICE_HOST", "127.0.0.1",
                  "KUBERNETES_SERVICE_PORT", String.valueOf(closedPort),
                  "HOST_IP", "127.0.0.1",
                  "APISERVER_PORT", String.valueOf(api.port())));

      ScriptRun run = ScriptRun.run(PodCheckpointerDaemonSet.SCRIPT, env, "fetch");

      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output()).contains("cannot list pods at https://127.0.0.1:" + closedPort);
      assertThat(input.resolve("pods.json")).exists();
      assertThat(input.resolve("secrets/" + Names.APISERVER_SERVING_SECRET + ".json")).exists();
    }
  }

  @Test
  void fetchWithNoApiAnsweringLeavesNoPodListSoNothingIsRemoved() throws Exception {
    Path serviceAccount = root.resolve("serviceaccount");
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (FakeApiServer api = fakeApi(serviceAccount)) {
      apiSees(apiServerPod("Running", true));
      Map<String, String> env =
          fetchEnv(
              serviceAccount,
              Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", String.valueOf(closedPort)));

      ScriptRun run = ScriptRun.run(PodCheckpointerDaemonSet.SCRIPT, env, "fetch");

      assertThat(run.output()).contains("the API is unreachable");
      assertThat(input.resolve("pods.json")).doesNotExist();
    }
  }

  @Test
  void doesNotRewriteAnUnchangedCopy() throws IOException {
    apiSees(apiServerPod("Running", true));
    sync();
    FileTime past = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(copy, past);
    Object inode = Files.getAttribute(copy, "unix:ino");

    ScriptRun again = sync();

    assertThat(again.output()).doesNotContain("wrote");
    assertThat(Files.getLastModifiedTime(copy)).isEqualTo(past);
    assertThat(Files.getAttribute(copy, "unix:ino")).isEqualTo(inode);
  }

  @Test
  void leavesTheCopyAloneWhileTheApiIsUnreachable() throws IOException {
    apiSees(apiServerPod("Running", true));
    sync();
    String before = Files.readString(copy);
    Files.delete(input.resolve("pods.json"));

    ScriptRun run = sync();

    assertThat(run.output()).contains("API unreachable");
    assertThat(copy).hasContent(before);
  }

  @Test
  void handsTheNodeBackOnceThisBootsKubeletStartedTheRealPodAfterTheServingCopy() throws IOException {
    apiSees(apiServerPod("Running", true));
    sync();
    // After a power cycle: the copy serves (6443 listened on, its container started 40 s after
    // boot); the kubelet started the real pod 50 s later, and it exited: the port was taken.
    portListenedOn(true);
    apiSees(apiServerPod("Running", false, BOOT.plusSeconds(90)), mirrorPod("Running", BOOT.plusSeconds(40)));

    ScriptRun run = sync();

    assertThat(copy).doesNotExist();
    assertThat(run.output()).contains("the kubelet started the real pod after the copy");

    // Once the real pod is Ready, the copy is written again, standing by.
    apiSees(apiServerPod("Running", true, BOOT.plusSeconds(200)));
    sync();
    assertThat(copy).exists();
  }

  @Test
  void keepsTheCopyWhileTheApiShowsOnlyWhatTheKubeletSaidBeforeThePowerCut() throws IOException {
    apiSees(apiServerPod("Running", true));
    sync();
    portListenedOn(true);
    // Right after the cut the copy serves, but the real pod's status is the one from before it:
    // Running, its container started an hour before this boot. The kubelet may well have refused
    // the real pod since; nothing says it runs.
    apiSees(apiServerPod("Running", false, BOOT.minusSeconds(3600)), mirrorPod("Running", BOOT.plusSeconds(40)));
    sync();
    assertThat(copy).exists();

    // Nor does a mirror pod whose status is from the previous boot count as a serving copy.
    apiSees(apiServerPod("Running", false, BOOT.minusSeconds(60)), mirrorPod("Running", BOOT.minusSeconds(7200)));
    sync();
    assertThat(copy).exists();

    // Even a stale Ready=True only refreshes the copy; it never removes it.
    apiSees(apiServerPod("Running", true, BOOT.minusSeconds(3600)), mirrorPod("Running", BOOT.plusSeconds(40)));
    sync();
    assertThat(copy).exists();
  }

  @Test
  void keepsTheCopyWhenNothingListensOnThisNode() throws IOException {
    apiSees(apiServerPod("Running", true));
    sync();
    // The API reports both started since this boot, but this node's own socket table shows no
    // listener on 6443: the copy does not serve here, so there is nothing to hand over.
    portListenedOn(false);
    apiSees(apiServerPod("Running", false, BOOT.plusSeconds(90)), mirrorPod("Running", BOOT.plusSeconds(40)));

    sync();

    assertThat(copy).exists();
  }

  @Test
  void theCopyDeclaresNoPortsSoTheKubeletRefusesNeitherItNorTheRealPod() throws IOException {
    Pod real = apiServerPod("Running", true);
    // What the API server returns for a host-network pod: each port defaulted to a hostPort.
    real.getSpec().getContainers().get(0).getPorts().forEach(p -> p.setHostPort(p.getContainerPort()));
    apiSees(real);

    sync();

    Pod staticPod = Serialization.unmarshal(Files.readString(copy), Pod.class);
    assertThat(staticPod.getSpec().getContainers()).allSatisfy(c -> assertThat(c.getPorts()).isNullOrEmpty());
    assertThat(Files.readString(copy)).doesNotContain("hostPort").doesNotContain("containerPort");
    // The port wait still knows which port to watch.
    assertThat(staticPod.getSpec().getInitContainers().get(0).getCommand()).endsWith("6443");
  }

  @Test
  void refusesOwnerAndPodNamesThatAreNotDnsLabels() throws IOException {
    for (String bad : List.of("../../../escaped", "kube-apiserver/../../x", "a\nb", "..", "UPPER")) {
      Pod pod = apiServerPod("Running", true);
      pod.getMetadata().getOwnerReferences().get(0).setName(bad);
      apiSees(pod);

      ScriptRun run = sync();

      assertThat(run.output()).as(bad).contains("refusing to checkpoint");
      try (var files = Files.walk(root)) {
        assertThat(files.filter(f -> f.getFileName().toString().endsWith(".checkpoint.yaml")))
            .as(bad)
            .isEmpty();
      }
      // root/etc/kubernetes/manifests/../../../escaped: still inside the temporary directory.
      assertThat(root.resolve("escaped.checkpoint.yaml")).doesNotExist();
    }
    // A pod without an owner and a bad name of its own, too.
    Pod orphan = apiServerPod("Running", true);
    orphan.getMetadata().setOwnerReferences(List.of());
    orphan.getMetadata().setName("../orphan");
    apiSees(orphan);
    assertThat(sync().output()).contains("refusing to checkpoint");
    assertThat(manifests.resolve("../orphan.checkpoint.yaml").normalize()).doesNotExist();
  }

  @Test
  void keepsTheCopyWhileItOnlyStandsBy() throws IOException {
    apiSees(apiServerPod("Running", true));
    sync();
    // The real pod restarts while the copy waits in its init container: nothing to hand over.
    apiSees(apiServerPod("Running", false), mirrorPod("Pending"));

    sync();

    assertThat(copy).exists();
  }

  @Test
  void keepsTheLastGoodCopyWhileTheRealPodIsNotReady() throws IOException {
    apiSees(apiServerPod("Running", true));
    sync();
    String good = Files.readString(copy);
    Pod broken = apiServerPod("Pending", false);
    broken.getSpec().getContainers().get(0).setImage("registry.k8s.io/kube-apiserver:v9.9.9");
    apiSees(broken);

    sync();

    assertThat(copy).hasContent(good);
  }

  @Test
  void removesTheCopyOfAPodTheApiNoLongerPlacesOnThisNode() throws IOException {
    apiSees(apiServerPod("Running", true));
    sync();
    apiSees(otherPod());

    sync();

    assertThat(copy).doesNotExist();
    assertThat(checkpoints.resolve("kube-apiserver")).doesNotExist();
  }

  @Test
  void writesNoCopyWhileASecretItMountsIsMissing() throws IOException {
    Files.delete(input.resolve("secrets/" + Names.SERVICE_ACCOUNT_KEY_SECRET + ".json"));
    apiSees(apiServerPod("Running", true));

    ScriptRun run = ScriptRun.run(PodCheckpointerDaemonSet.SCRIPT, env(), "sync");

    assertThat(run.output()).contains(Names.SERVICE_ACCOUNT_KEY_SECRET);
    assertThat(copy).doesNotExist();
  }

  @Test
  void theCopyStandsByWhileThePortIsTakenAndStartsOnceItIsFree() throws Exception {
    Path proc = Files.createDirectories(root.resolve("proc/net"));
    String header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    // 6443 = 0x192B, state 0A = LISTEN.
    Files.writeString(proc.resolve("tcp"), header + "   0: 00000000:192B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0\n");
    Map<String, String> env = new TreeMap<>(env());
    env.put("PROC_NET_DIR", proc.toString());

    Process waiting = ScriptRun.start(PodCheckpointerDaemonSet.SCRIPT, env, "wait-ports-free", "1", "6443");
    try {
      assertThat(waiting.waitFor(3, TimeUnit.SECONDS)).as("returns while 6443 is listened on").isFalse();
      // Another socket (an established connection on 6443, a listener on 2379) does not count.
      Files.writeString(proc.resolve("tcp"), header
          + "   0: 0100007F:192B 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0\n"
          + "   1: 00000000:094B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0\n");
      assertThat(waiting.waitFor(10, TimeUnit.SECONDS)).as("returns once 6443 is free").isTrue();
      assertThat(waiting.exitValue()).isZero();
    } finally {
      waiting.destroyForcibly();
    }
  }

  @Test
  void aTakenIpv6PortAlsoKeepsTheCopyStandingBy() throws Exception {
    Path proc = Files.createDirectories(root.resolve("proc/net"));
    Files.writeString(proc.resolve("tcp"), "  sl  local_address rem_address   st\n");
    Files.writeString(proc.resolve("tcp6"), "  sl  local_address rem_address   st\n"
        + "   0: 00000000000000000000000000000000:192B 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n");
    Map<String, String> env = new TreeMap<>(env());
    env.put("PROC_NET_DIR", proc.toString());
    List<String> args = new ArrayList<>(List.of("wait-ports-free", "1", "6443"));

    Process waiting = ScriptRun.start(PodCheckpointerDaemonSet.SCRIPT, env, args.toArray(String[]::new));
    try {
      assertThat(waiting.waitFor(3, TimeUnit.SECONDS)).isFalse();
    } finally {
      waiting.destroyForcibly();
    }
  }
}
