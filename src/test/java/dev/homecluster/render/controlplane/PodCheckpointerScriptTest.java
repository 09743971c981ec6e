package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
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

  @TempDir Path root;
  private Path input;
  private Path manifests;
  private Path checkpoints;
  private Path copy;

  @BeforeEach
  void dirs() throws IOException {
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
        "GRACE", "30");
  }

  private ScriptRun sync() {
    ScriptRun run = ScriptRun.run(PodCheckpointerDaemonSet.SCRIPT, env(), "sync");
    assertThat(run.exitCode()).as(run.output()).isZero();
    return run;
  }

  /** The rendered apiserver pod template as a pod the DaemonSet placed on master-1. */
  private static Pod apiServerPod(String phase, boolean ready) {
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
        .endStatus()
        .build();
  }

  /** The mirror pod the kubelet creates for the checkpointed copy. */
  private static Pod mirrorPod(String phase) {
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
  void handsTheNodeBackToTheRealPodOnceItRunsAgain() throws IOException {
    apiSees(apiServerPod("Running", true));
    sync();
    // After a power cycle: the copy serves, the real pod is Running but cannot bind its port.
    apiSees(apiServerPod("Running", false), mirrorPod("Running"));

    ScriptRun run = sync();

    assertThat(copy).doesNotExist();
    assertThat(run.output()).contains("real pod is running again");

    // Once the real pod is Ready, the copy is written again, standing by.
    apiSees(apiServerPod("Running", true));
    sync();
    assertThat(copy).exists();
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
