package dev.homecluster.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homecluster.testing.Examples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's image as {@code mvn -B package -Pimage} leaves it in target/jib-image.tar: its
 * configuration, and the image itself started the way a container runtime would (its layers
 * unpacked into a root, its entrypoint run there as its user). Skipped when the tarball was not
 * built in this run's target/.
 */
class ContainerImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path tarball;
  private static Path unpacked;
  private static JsonNode config;

  @BeforeAll
  static void unpack(@TempDir Path dir) throws Exception {
    tarball = Examples.repoRoot().resolve("target/jib-image.tar");
    assumeTrue(Files.isRegularFile(tarball), "no target/jib-image.tar: build it with mvn -B package -Pimage");
    unpacked = dir.resolve("image");
    Files.createDirectories(unpacked);
    run(List.of("tar", "-xf", tarball.toString(), "-C", unpacked.toString()), 120);
    JsonNode manifest = manifest();
    config = JSON.readTree(blob(manifest.get("config").get("digest").asText())).get("config");
  }

  /** The image manifest, from an OCI layout (index.json) or a docker-archive (manifest.json). */
  private static JsonNode manifest() throws IOException {
    Path index = unpacked.resolve("index.json");
    if (Files.exists(index)) {
      String digest = JSON.readTree(index.toFile()).get("manifests").get(0).get("digest").asText();
      return JSON.readTree(blob(digest));
    }
    JsonNode archive = JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
    // docker-archive: Config and Layers are file names; shape them like an OCI manifest.
    var manifest = JSON.createObjectNode();
    manifest.putObject("config").put("digest", "file:" + archive.get("Config").asText());
    var layers = manifest.putArray("layers");
    archive.get("Layers").forEach(l -> layers.addObject().put("digest", "file:" + l.asText()));
    return manifest;
  }

  private static byte[] blob(String digest) throws IOException {
    return Files.readAllBytes(blobPath(digest));
  }

  private static Path blobPath(String digest) {
    if (digest.startsWith("file:")) {
      return unpacked.resolve(digest.substring("file:".length()));
    }
    String[] parts = digest.split(":", 2);
    return unpacked.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
  }

  @Test
  void isTaggedWithTheNameTheChartPullsByDefault() throws IOException {
    JsonNode index = JSON.readTree(unpacked.resolve("index.json").toFile());

    assertThat(index.get("manifests").get(0).get("annotations").get("org.opencontainers.image.ref.name").asText())
        .as("the chart's default image: homecluster-operator:<appVersion>")
        .startsWith("homecluster-operator:");
  }

  @Test
  void runsAsTheNonRootUser65532() {
    assertThat(config.get("User").asText()).isEqualTo("65532:65532");
  }

  @Test
  void entrypointRunsTheOperatorWithJvmFlagsForSmallBoards() {
    List<String> entrypoint = new ArrayList<>();
    config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    List<String> cmd = new ArrayList<>();
    config.get("Cmd").forEach(e -> cmd.add(e.asText()));

    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint).contains("-XX:+UseSerialGC", "-XX:MaxRAMPercentage=40", "-Xms16m", "-XX:MaxHeapFreeRatio=30", "-XX:TieredStopAtLevel=1");
    assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo("dev.homecluster.cli.Main");
    assertThat(cmd).containsExactly("operator");
    assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
    List<String> env = new ArrayList<>();
    config.get("Env").forEach(e -> env.add(e.asText()));
    assertThat(env).contains("MALLOC_ARENA_MAX=2");
  }

  /**
   * Unpacks every layer into one root and runs the image's entrypoint there as its user, with
   * `render` of the documented example instead of `operator`: the JRE, its libraries, the class
   * path and the user all come from the image, nothing from this machine.
   */
  @Test
  void imageRendersTheDocumentedClusterAsItsOwnUser(@TempDir Path dir) throws Exception {
    assumeTrue(canChroot(), "needs root and mount namespaces (unshare) to start the image's root");
    Path root = dir.resolve("root");
    Files.createDirectories(root);
    for (JsonNode layer : manifest().get("layers")) {
      run(List.of("tar", "-xzf", blobPath(layer.get("digest").asText()).toString(), "-C", root.toString()), 120);
    }
    Files.createDirectories(root.resolve("proc"));
    Files.copy(Examples.path(Examples.HOME), root.resolve("tmp/home.yaml"));
    List<String> command = new ArrayList<>();
    config.get("Entrypoint").forEach(e -> command.add(e.asText()));
    command.set(0, "/opt/java/bin/java");
    command.addAll(List.of("render", "-f", "/tmp/home.yaml"));
    String script =
        "mount -t proc proc '" + root + "/proc' && exec env -i PATH=/opt/java/bin:/usr/sbin:/usr/bin:/sbin:/bin"
            + " chroot --userspec=" + config.get("User").asText() + " '" + root + "' "
            + String.join(" ", command.stream().map(a -> "'" + a + "'").toList());

    String output = run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script), 300);

    assertThat(output).contains("kind: Node").contains("name: master-1");
  }

  private static boolean canChroot() throws InterruptedException {
    try {
      Process probe = new ProcessBuilder("unshare", "--mount", "true").redirectErrorStream(true).start();
      return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0 && "root".equals(System.getProperty("user.name"));
    } catch (IOException e) {
      return false;
    }
  }

  private static String run(List<String> command, int timeoutSeconds) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("%s:%n%s", command, text).isZero();
    return text;
  }
}
