package dev.homecluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.sim.RealNode;
import dev.homecluster.sim.RealNodes;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * docs/bootstrap.md steps 2 and 3 for the real-node ITs: the documented HomeCluster moved onto the
 * lab network (10.213.0.x instead of 192.168.1.x, VIP 10.213.0.100) at the Kubernetes version the
 * simulated cluster builds, rendered with {@code render --bootstrap}, and its files copied to the
 * machines as {@code rsync -a} would.
 */
final class RealBootstrap {
  /** The masters of the documented cluster, at their lab addresses. */
  static final Map<String, String> MASTERS = masters();

  private RealBootstrap() {}

  private static Map<String, String> masters() {
    Map<String, String> masters = new LinkedHashMap<>(); // spec order: master-1 is the first
    masters.put("master-1", "10.213.0.111");
    masters.put("master-2", "10.213.0.112");
    masters.put("master-3", "10.213.0.113");
    return java.util.Collections.unmodifiableMap(masters);
  }

  /** Renders the bootstrap files of the lab's HomeCluster into {@code tmp/boot}. */
  static Path render(Path tmp) throws IOException {
    Path spec = tmp.resolve("home.yaml");
    Files.writeString(
        spec,
        Files.readString(Examples.path(Examples.HOME))
            .replace("192.168.1.", "10.213.0.")
            .replace("kubernetesVersion: \"1.34.2\"", "kubernetesVersion: \"1.34.4\""));
    Path out = tmp.resolve("boot");
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute("render", "--bootstrap", "-f", spec.toString(), "-o", out.toString());
    assertThat(exit).as("render --bootstrap: %s", err).isZero();
    return out;
  }

  /** The image of a rendered static pod's first container, e.g. etcd's. */
  static String image(Path boot, String manifest) throws IOException {
    Pod pod =
        Serialization.unmarshal(
            Files.readString(boot.resolve("bootstrap-manifests/" + manifest)), Pod.class);
    return pod.getSpec().getContainers().get(0).getImage();
  }

  /**
   * Step 3: the first master gets {@code etc/kubernetes/} and the given bootstrap manifests, every
   * other master its {@code nodes/<name>/etc/kubernetes/}.
   */
  static void copyToMasters(Path boot, List<RealNode> masters, List<String> firstMasterManifests)
      throws IOException {
    RealNode first = masters.get(0);
    copyTree(boot.resolve("etc/kubernetes"), first.etcKubernetes());
    Files.createDirectories(first.etcKubernetes().resolve("manifests"));
    for (String manifest : firstMasterManifests) {
      Files.copy(
          boot.resolve("bootstrap-manifests/" + manifest),
          first.etcKubernetes().resolve("manifests/" + manifest),
          StandardCopyOption.COPY_ATTRIBUTES);
    }
    for (RealNode node : masters.subList(1, masters.size())) {
      copyTree(boot.resolve("nodes/" + node.name() + "/etc/kubernetes"), node.etcKubernetes());
    }
  }

  /** The host sysctls the kubelets write, to check that the harness restored them. */
  static Map<String, String> sysctls() {
    Map<String, String> values = new LinkedHashMap<>();
    for (String key :
        List.of(
            "vm.overcommit_memory",
            "vm.panic_on_oom",
            "kernel.panic",
            "kernel.panic_on_oops",
            "kernel.keys.root_maxkeys",
            "kernel.keys.root_maxbytes")) {
      values.put(key, RealNodes.sysctl(key));
    }
    return values;
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.exists(file) ? Files.readAllLines(file) : List.of();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> tree = Files.walk(from)) {
      for (Path source : tree.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(
              source, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
