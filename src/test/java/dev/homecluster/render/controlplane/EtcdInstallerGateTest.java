package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.pki.ClusterCertificates;
import dev.homecluster.pki.SecretFiles;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.secrets.SecretGenerators;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etcd installer's one-member-at-a-time gate, run for real: three real etcd members (the
 * rendered flags, on 127.0.0.11-13, TLS with certificates from the generators), the real kubectl
 * and curl, and a fake API on 127.0.0.1 that keeps Leases as the API server does (create,
 * conflict on a stale resourceVersion). The kubelet is the only thing missing: a written manifest
 * restarts nothing here, so "its own member healthy again" is the running member.
 */
class EtcdInstallerGateTest {
  private static final String TOKEN = "etcd-installer-token";

  @TempDir Path tmp;
  private final List<Process> members = new ArrayList<>();
  private final Map<String, Process> byName = new TreeMap<>();
  private HomeCluster cluster;
  private Secret membersSecret;
  private FakeApiServer api;

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : members) {
      p.destroy();
    }
    for (Process p : members) {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (api != null) {
      api.close();
    }
  }

  private static boolean onPath(String binary) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(d -> Files.isExecutable(Path.of(d, binary)));
  }

  private static boolean bindable(String address) {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String etcdVersion() throws Exception {
    Process p = new ProcessBuilder("etcd", "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out.lines().filter(l -> l.startsWith("etcd Version:")).findFirst().orElseThrow().split(":")[1].trim();
  }

  private static String file(Secret secret, String key) {
    return SecretFiles.read(secret, key).orElseThrow(() -> new AssertionError("no " + key));
  }

  /** Starts three members with the rendered commands, and waits until all are healthy. */
  private void startCluster() throws Exception {
    assumeTrue(onPath("etcd") && onPath("curl") && onPath("kubectl"), "etcd, curl or kubectl missing; skipping");
    assumeTrue(bindable("127.0.0.11") && bindable("127.0.0.13"), "cannot bind 127.0.0.11-13; skipping");
    cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getControlPlane().getEtcd().setVersion(etcdVersion() + "-0");
    List<NodeSpec> masters = ClusterCertificates.masters(cluster.getSpec());
    for (int i = 0; i < masters.size(); i++) {
      masters.get(i).setAddress("127.0.0." + (11 + i));
    }
    membersSecret =
        SecretGenerators.generateAll(cluster, Map.of(), Instant.now(), new SecureRandom()).get(Names.ETCD_MEMBERS_SECRET);
    for (NodeSpec master : masters) {
      Path pki = Files.createDirectories(tmp.resolve(master.getName() + "/pki"));
      Files.writeString(pki.resolve("ca.crt"), file(membersSecret, Names.CA_CERT_KEY));
      for (String f : List.of("server.crt", "server.key", "peer.crt", "peer.key")) {
        Files.writeString(pki.resolve(f), file(membersSecret, Names.etcdMemberKey(master.getName(), f)));
      }
      List<String> command = new ArrayList<>();
      for (String arg : EtcdStaticPod.forMember(cluster.getSpec(), "home", master, masters, "x").getSpec().getContainers().get(0).getCommand()) {
        if (arg.startsWith("--listen-client-urls=")) {
          arg = "--listen-client-urls=https://" + master.getAddress() + ":2379";
        } else if (arg.startsWith("--listen-metrics-urls=")) {
          arg = "--listen-metrics-urls=http://" + master.getAddress() + ":2381";
        }
        command.add(
            arg.replace(EtcdStaticPod.PKI_DIR, pki.toString())
                .replace(cluster.getSpec().getControlPlane().getEtcd().getDataDir(), tmp.resolve(master.getName() + "/data").toString()));
      }
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve(master.getName() + ".log").toFile())
              .start();
      members.add(p);
      byName.put(master.getName(), p);
    }
    for (NodeSpec master : masters) {
      waitHealthy(master.getAddress());
    }
  }

  private void waitHealthy(String address) throws Exception {
    for (int i = 0; i < 120; i++) {
      Process curl = new ProcessBuilder("curl", "-sf", "--max-time", "2", "http://" + address + ":2381/health").start();
      String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (curl.waitFor() == 0 && out.contains("\"health\":\"true\"")) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("etcd at " + address + " never healthy: " + Files.readString(tmp.resolve("master-1.log")));
  }

  /** The installer's inputs for master-1: the rendered ConfigMap, the Secret, a ServiceAccount. */
  private Map<String, String> installerEnv() throws Exception {
    api = api == null ? new FakeApiServer(TOKEN) : api;
    RenderContext ctx = RenderContext.of(cluster);
    ConfigMap configMap =
        Rendered.find(new EtcdInstallerDaemonSet().render(ctx), ConfigMap.class, Names.ETCD_INSTALLER);
    Path source = Files.createDirectories(tmp.resolve("configmap"));
    for (var entry : configMap.getData().entrySet()) {
      Files.writeString(source.resolve(entry.getKey()), entry.getValue());
    }
    Path secrets = Files.createDirectories(tmp.resolve("secret"));
    for (String key : membersSecret.getData().keySet()) {
      Files.writeString(secrets.resolve(key), file(membersSecret, key));
    }
    Path sa = Files.createDirectories(tmp.resolve("serviceaccount"));
    Files.writeString(sa.resolve("token"), TOKEN);
    Files.writeString(sa.resolve("ca.crt"), api.caPem());
    Map<String, String> env = new TreeMap<>();
    env.put("NODE_NAME", "master-1");
    env.put("SOURCE_DIR", source.toString());
    env.put("SECRETS_DIR", secrets.toString());
    env.put("MANIFESTS_DIR", tmp.resolve("host/manifests").toString());
    env.put("PKI_DIR", tmp.resolve("host/pki/etcd").toString());
    env.put("BACKUP_DIR", tmp.resolve("host/manifests-backup").toString());
    env.put("GATE", "lease");
    env.put("ETCD_ENDPOINTS", EtcdInstallerDaemonSet.endpoints(ctx));
    // etcd 3.4 has /health where 3.6 has /readyz; the member's metrics URL is on its address here.
    env.put("LOCAL_HEALTH_URL", "http://127.0.0.11:2381/health");
    env.put("SETTLE_SECONDS", "0");
    env.put("HEALTH_TIMEOUT", "20");
    env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
    env.put("KUBERNETES_SERVICE_PORT", String.valueOf(api.port()));
    env.put("SA_DIR", sa.toString());
    env.put("HOME", tmp.resolve("home").toString());
    env.put("KUBECONFIG", "");
    return env;
  }

  private Path manifest() {
    return tmp.resolve("host/manifests/etcd.yaml");
  }

  private static String leaseHeldBy(String holder, Instant renewed) {
    return "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"etcd-installer\","
        + "\"namespace\":\"kube-system\"},\"spec\":{\"holderIdentity\":\"" + holder + "\",\"leaseDurationSeconds\":300,"
        + "\"acquireTime\":\"" + renewed + "\",\"renewTime\":\"" + renewed + "\"}}";
  }

  @Test
  void writesOnlyUnderTheLeaseWithEveryOtherMemberHealthyAndReleasesItOnceItsOwnIsReady() throws Exception {
    startCluster();
    Map<String, String> env = installerEnv();

    ScriptRun run = ScriptRun.run(EtcdInstallerDaemonSet.SCRIPT, env, "once");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("wrote " + manifest()).contains("this member is ready");
    assertThat(api.unauthorized).isZero();
    assertThat(api.requests).anyMatch(r -> r.startsWith("POST /apis/coordination.k8s.io/v1/namespaces/kube-system/leases"));
    // Released: the holder is cleared, so the next master may go.
    assertThat(api.lease(EtcdInstallerDaemonSet.LEASE)).contains("\"holderIdentity\":\"\"");

    // Unchanged inputs: no Lease taken, nothing written.
    int requests = api.requests.size();
    ScriptRun again = ScriptRun.run(EtcdInstallerDaemonSet.SCRIPT, env, "once");
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output()).doesNotContain("wrote");
    assertThat(api.requests).hasSize(requests);
  }

  @Test
  void writesNothingWhileAnotherMasterHoldsTheLeaseAndTakesAnExpiredOne() throws Exception {
    startCluster();
    Map<String, String> env = installerEnv();
    api.putLease(EtcdInstallerDaemonSet.LEASE, leaseHeldBy("master-2", Instant.now()));

    ScriptRun held = ScriptRun.run(EtcdInstallerDaemonSet.SCRIPT, env, "once");

    assertThat(held.exitCode()).isNotZero();
    assertThat(held.output()).contains("held by master-2");
    assertThat(manifest()).doesNotExist();
    assertThat(tmp.resolve("host/pki/etcd/server.key")).doesNotExist();

    // master-2's installer died an hour ago holding it: presumed gone.
    api.putLease(EtcdInstallerDaemonSet.LEASE, leaseHeldBy("master-2", Instant.now().minusSeconds(3600)));
    ScriptRun expired = ScriptRun.run(EtcdInstallerDaemonSet.SCRIPT, env, "once");

    assertThat(expired.exitCode()).as(expired.output()).isZero();
    assertThat(manifest()).exists();
    assertThat(api.lease(EtcdInstallerDaemonSet.LEASE)).contains("\"holderIdentity\":\"\"");
  }

  @Test
  void writesNothingWhileAnotherMemberIsDown() throws Exception {
    startCluster();
    Map<String, String> env = installerEnv();
    Process master3 = byName.get("master-3");
    master3.destroy();
    assertThat(master3.waitFor(20, TimeUnit.SECONDS)).isTrue();

    ScriptRun run = ScriptRun.run(EtcdInstallerDaemonSet.SCRIPT, env, "once");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.output()).contains("member master-3 (https://127.0.0.13:2379) is not healthy");
    assertThat(manifest()).doesNotExist();
    // The Lease is given back at once, so no other master waits for nothing.
    assertThat(api.lease(EtcdInstallerDaemonSet.LEASE)).contains("\"holderIdentity\":\"\"");
  }
}
