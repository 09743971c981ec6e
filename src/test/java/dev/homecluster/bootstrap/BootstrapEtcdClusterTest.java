package dev.homecluster.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.pki.ClusterCertificates;
import dev.homecluster.pki.SecretFiles;
import dev.homecluster.render.Names;
import dev.homecluster.secrets.SecretGenerators;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bootstrap etcd static pods, run for real: three masters on loopback addresses 127.0.0.11-13
 * each start etcd with the command of their static pod (host paths pointed at a temporary
 * directory, and the localhost listeners, which would collide on one machine, left out). They must
 * form one cluster over peer TLS with the generated member certificates.
 */
class BootstrapEtcdClusterTest {
  @TempDir Path tmp;

  @Test
  void theMastersStaticPodsFormOneEtcdClusterOverTls() throws Exception {
    assumeTrue(onPath("etcd") && onPath("etcdctl"), "etcd/etcdctl are not installed; skipping");
    assumeTrue(bindable("127.0.0.11"), "cannot bind 127.0.0.11 (no Linux loopback /8); skipping");
    HomeCluster cluster = Examples.load(Examples.HOME);
    // The rendered flags depend on etcd's version (3.6 feature gates, 3.4 experimental flags):
    // render for the binary that runs them.
    cluster.getSpec().getControlPlane().getEtcd().setVersion(etcdVersion() + "-0");
    List<NodeSpec> masters = ClusterCertificates.masters(cluster.getSpec());
    for (int i = 0; i < masters.size(); i++) {
      masters.get(i).setAddress("127.0.0." + (11 + i));
    }
    Map<String, Secret> secrets =
        SecretGenerators.generateAll(cluster, Map.of(), Instant.now(), new SecureRandom());
    Secret members = secrets.get(Names.ETCD_MEMBERS_SECRET);

    List<Process> processes = new ArrayList<>();
    try {
      for (NodeSpec master : masters) {
        Path pki = Files.createDirectories(tmp.resolve(master.getName() + "/pki"));
        Files.writeString(pki.resolve("ca.crt"), file(members, Names.CA_CERT_KEY));
        for (String f : List.of("server.crt", "server.key", "peer.crt", "peer.key")) {
          Files.writeString(
              pki.resolve(f), file(members, Names.etcdMemberKey(master.getName(), f)));
        }
        List<String> command = new ArrayList<>();
        for (String arg :
            BootstrapEtcdPod.build("home", cluster.getSpec(), master, memberFiles(pki))
                .getSpec()
                .getContainers()
                .get(0)
                .getCommand()) {
          if (arg.startsWith("--listen-client-urls=")) {
            arg = "--listen-client-urls=https://" + master.getAddress() + ":2379";
          } else if (arg.startsWith("--listen-metrics-urls=")) {
            arg = "--listen-metrics-urls=http://" + master.getAddress() + ":2381";
          }
          command.add(
              arg.replace(HostPaths.ETCD_PKI, pki.toString())
                  .replace(
                      cluster.getSpec().getControlPlane().getEtcd().getDataDir(),
                      tmp.resolve(master.getName() + "/data").toString()));
        }
        processes.add(
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(master.getName() + ".log").toFile())
                .start());
      }

      Path client = tmp.resolve("client");
      Files.createDirectories(client);
      Files.writeString(
          client.resolve("ca.crt"), file(secrets.get(Names.ETCD_CLIENT_SECRET), Names.CA_CERT_KEY));
      Files.writeString(
          client.resolve("tls.crt"),
          file(secrets.get(Names.ETCD_CLIENT_SECRET), Names.TLS_CERT_KEY));
      Files.writeString(
          client.resolve("tls.key"),
          file(secrets.get(Names.ETCD_CLIENT_SECRET), Names.TLS_PRIVATE_KEY_KEY));
      List<String> etcdctl =
          List.of(
              "etcdctl",
              "--endpoints=https://127.0.0.11:2379,https://127.0.0.12:2379,https://127.0.0.13:2379",
              "--cacert=" + client.resolve("ca.crt"),
              "--cert=" + client.resolve("tls.crt"),
              "--key=" + client.resolve("tls.key"),
              "--dial-timeout=3s",
              "--command-timeout=5s");

      String health = "";
      int exit = -1;
      for (int i = 0; i < 60 && exit != 0; i++) {
        Process p =
            new ProcessBuilder(concat(etcdctl, "endpoint", "health"))
                .redirectErrorStream(true)
                .start();
        p.waitFor(30, TimeUnit.SECONDS);
        exit = p.exitValue();
        health = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (exit != 0) {
          Thread.sleep(500);
        }
      }
      assertThat(exit).as(health + Files.readString(tmp.resolve("master-1.log"))).isZero();
      Process list =
          new ProcessBuilder(concat(etcdctl, "member", "list")).redirectErrorStream(true).start();
      list.waitFor(30, TimeUnit.SECONDS);
      String memberList = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(memberList.lines().filter(l -> l.contains("started"))).hasSize(3);
      assertThat(memberList)
          .contains(
              "master-1, https://127.0.0.11:2380",
              "master-2, https://127.0.0.12:2380",
              "master-3, https://127.0.0.13:2380");
    } finally {
      for (Process p : processes) {
        p.destroy();
      }
      for (Process p : processes) {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static String file(Secret secret, String key) {
    return SecretFiles.read(secret, key).orElseThrow();
  }

  private static List<String> concat(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static boolean bindable(String address) {
    try (var socket = new java.net.ServerSocket()) {
      socket.bind(new java.net.InetSocketAddress(address, 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> memberFiles(Path pki) throws IOException {
    List<String> contents = new ArrayList<>();
    for (String f : dev.homecluster.render.controlplane.EtcdStaticPod.PKI_FILES) {
      contents.add(Files.readString(pki.resolve(f)));
    }
    return contents;
  }

  private static String etcdVersion() throws Exception {
    Process p = new ProcessBuilder("etcd", "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out.lines().filter(l -> l.startsWith("etcd Version:")).findFirst().orElseThrow().split(":")[1].trim();
  }
}
