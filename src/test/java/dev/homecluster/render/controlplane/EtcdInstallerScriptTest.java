package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs etcd-installer.sh for real against temporary directories standing in for the host. */
class EtcdInstallerScriptTest {
  @TempDir Path root;
  private Path source;
  private Path secrets;
  private Path manifests;
  private Path pki;
  private Path backup;

  @BeforeEach
  void inputs() throws IOException {
    source = Files.createDirectories(root.resolve("configmap"));
    secrets = Files.createDirectories(root.resolve("secret"));
    manifests = root.resolve("host/etc/kubernetes/manifests");
    pki = root.resolve("host/etc/kubernetes/pki/etcd");
    backup = root.resolve("host/etc/kubernetes/manifests-backup");
    Files.writeString(source.resolve("master-1.yaml"), "kind: Pod # master-1 v1\n");
    Files.writeString(source.resolve("master-2.yaml"), "kind: Pod # master-2 v1\n");
    Files.writeString(secrets.resolve("ca.crt"), "ETCD CA\n");
    for (String node : List.of("master-1", "master-2")) {
      for (String file : List.of("server.crt", "server.key", "peer.crt", "peer.key")) {
        Files.writeString(secrets.resolve(node + "." + file), node + " " + file + "\n");
      }
    }
  }

  private ScriptRun install(String node) {
    return ScriptRun.run(
        EtcdInstallerDaemonSet.SCRIPT,
        Map.of(
            "NODE_NAME", node,
            "SOURCE_DIR", source.toString(),
            "SECRETS_DIR", secrets.toString(),
            "MANIFESTS_DIR", manifests.toString(),
            "PKI_DIR", pki.toString(),
            "BACKUP_DIR", backup.toString()),
        "once");
  }

  /**
   * On each master bootstrapped by {@code render --bootstrap}, the installer (with the rendered
   * ConfigMap and the bootstrap's members Secret mounted) writes exactly the bootstrap's
   * etcd.yaml and certificate files: its first run restarts no member.
   */
  @Test
  void theInstallersFirstRunOnABootstrappedMasterWritesTheBootstrapsManifestByteForByte() throws IOException {
    Path out = root.resolve("bootstrap");
    java.io.StringWriter err = new java.io.StringWriter();
    int exit =
        dev.homecluster.cli.Main.run(
            new java.io.PrintWriter(new java.io.StringWriter()),
            new java.io.PrintWriter(err),
            "render", "--bootstrap", "-f", dev.homecluster.testing.Examples.path(dev.homecluster.testing.Examples.HOME).toString(),
            "-o", out.toString());
    assertThat(exit).as(err.toString()).isZero();
    Path configMap = Files.createDirectories(root.resolve("rendered-configmap"));
    var rendered =
        dev.homecluster.testing.Rendered.find(
            dev.homecluster.testing.Rendered.component(dev.homecluster.testing.Examples.HOME, dev.homecluster.render.Names.ETCD_INSTALLER),
            io.fabric8.kubernetes.api.model.ConfigMap.class,
            dev.homecluster.render.Names.ETCD_INSTALLER);
    for (var entry : rendered.getData().entrySet()) {
      Files.writeString(configMap.resolve(entry.getKey()), entry.getValue());
    }
    Path members = Files.createDirectories(root.resolve("members-secret"));
    var secret =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            Files.readString(out.resolve("secrets/" + dev.homecluster.render.Names.ETCD_MEMBERS_SECRET + ".yaml")),
            io.fabric8.kubernetes.api.model.Secret.class);
    for (var entry : secret.getData().entrySet()) {
      Files.write(members.resolve(entry.getKey()), java.util.Base64.getDecoder().decode(entry.getValue()));
    }

    for (String node : List.of("master-1", "master-2", "master-3")) {
      Path host = node.equals("master-1") ? out : out.resolve("nodes/" + node);
      Path bootstrapManifest =
          node.equals("master-1") ? out.resolve("bootstrap-manifests/etcd.yaml") : host.resolve("etc/kubernetes/manifests/etcd.yaml");
      Path hostManifests = Files.createDirectories(root.resolve(node + "/manifests"));
      Files.copy(bootstrapManifest, hostManifests.resolve("etcd.yaml"));
      Object inode = Files.getAttribute(hostManifests.resolve("etcd.yaml"), "unix:ino");

      ScriptRun run =
          ScriptRun.run(
              EtcdInstallerDaemonSet.SCRIPT,
              Map.of(
                  "NODE_NAME", node,
                  "SOURCE_DIR", configMap.toString(),
                  "SECRETS_DIR", members.toString(),
                  "MANIFESTS_DIR", hostManifests.toString(),
                  "PKI_DIR", host.resolve("etc/kubernetes/pki/etcd").toString(),
                  "BACKUP_DIR", root.resolve(node + "/backup").toString()),
              "once");

      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output()).as(node).doesNotContain("wrote");
      assertThat(hostManifests.resolve("etcd.yaml")).as(node).hasSameBinaryContentAs(bootstrapManifest);
      assertThat(Files.getAttribute(hostManifests.resolve("etcd.yaml"), "unix:ino")).as(node).isEqualTo(inode);
      assertThat(Files.readString(bootstrapManifest)).contains("--initial-cluster-token=home").doesNotContain("sha256-of-member-files");
    }
  }

  @Test
  void aMembersManifestChangesWithItsOwnCertificatesOnly() throws IOException {
    Files.writeString(source.resolve("master-1.yaml"), "kind: Pod # hash: sha256-of-member-files\n");
    Files.writeString(source.resolve("master-2.yaml"), "kind: Pod # hash: sha256-of-member-files\n");
    assertThat(install("master-1").exitCode()).isZero();
    String before = Files.readString(manifests.resolve("etcd.yaml"));
    assertThat(before).matches("kind: Pod # hash: [0-9a-f]{64}\n");

    // Another member's certificate is renewed: master-1 is not touched.
    Files.writeString(secrets.resolve("master-2.server.crt"), "master-2 server.crt renewed\n");
    ScriptRun other = install("master-1");
    assertThat(other.output()).doesNotContain("wrote");
    assertThat(manifests.resolve("etcd.yaml")).hasContent(before.strip());

    // Its own is: the manifest changes, so the kubelet restarts this member.
    Files.writeString(secrets.resolve("master-1.peer.crt"), "master-1 peer.crt renewed\n");
    ScriptRun own = install("master-1");
    assertThat(own.output()).contains("wrote " + manifests.resolve("etcd.yaml"));
    assertThat(Files.readString(manifests.resolve("etcd.yaml"))).isNotEqualTo(before);
  }

  @Test
  void writesThisNodesManifestAndCertificatesOnly() throws IOException {
    ScriptRun run = install("master-2");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(manifests.resolve("etcd.yaml")).hasContent("kind: Pod # master-2 v1");
    assertThat(pki.resolve("server.crt")).hasContent("master-2 server.crt");
    assertThat(pki.resolve("peer.key")).hasContent("master-2 peer.key");
    assertThat(pki.resolve("ca.crt")).hasContent("ETCD CA");
    try (Stream<Path> files = Files.list(pki)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(EtcdStaticPod.PKI_FILES);
    }
  }

  @Test
  void certificatesAndManifestAreReadableByRootOnly() throws IOException {
    assertThat(install("master-1").exitCode()).isZero();

    for (String file : EtcdStaticPod.PKI_FILES) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.resolve(file))))
          .as(file)
          .isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(manifests.resolve("etcd.yaml"))))
        .isEqualTo("rw-------");
  }

  @Test
  void doesNotRewriteUnchangedFiles() throws IOException {
    assertThat(install("master-1").exitCode()).isZero();
    Path manifest = manifests.resolve("etcd.yaml");
    Path key = pki.resolve("server.key");
    FileTime past = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(manifest, past);
    Files.setLastModifiedTime(key, past);
    Object manifestInode = Files.getAttribute(manifest, "unix:ino");
    Object keyInode = Files.getAttribute(key, "unix:ino");

    ScriptRun again = install("master-1");

    assertThat(again.exitCode()).isZero();
    assertThat(again.output()).doesNotContain("wrote");
    assertThat(Files.getLastModifiedTime(manifest)).isEqualTo(past);
    assertThat(Files.getLastModifiedTime(key)).isEqualTo(past);
    assertThat(Files.getAttribute(manifest, "unix:ino")).isEqualTo(manifestInode);
    assertThat(Files.getAttribute(key, "unix:ino")).isEqualTo(keyInode);
    assertThat(backup.resolve("etcd.yaml.bak")).doesNotExist();
  }

  @Test
  void replacesAChangedManifestByRenameAndKeepsThePreviousOneOutsideTheManifestsDir()
      throws IOException {
    assertThat(install("master-1").exitCode()).isZero();
    Path manifest = manifests.resolve("etcd.yaml");
    Object before = Files.getAttribute(manifest, "unix:ino");
    Files.writeString(source.resolve("master-1.yaml"), "kind: Pod # master-1 v2\n");

    ScriptRun run = install("master-1");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(manifest).hasContent("kind: Pod # master-1 v2");
    // A rename, not an in-place write: the kubelet never reads a half-written manifest.
    assertThat(Files.getAttribute(manifest, "unix:ino")).isNotEqualTo(before);
    assertThat(backup.resolve("etcd.yaml.bak")).hasContent("kind: Pod # master-1 v1");
    // The kubelet runs every file in the manifests directory: only etcd.yaml may be there.
    try (Stream<Path> files = Files.list(manifests)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("etcd.yaml");
    }
    try (Stream<Path> files = Files.list(pki)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp"));
    }
  }

  @Test
  void writesNothingWhenThisNodesFilesAreMissing() throws IOException {
    Files.delete(secrets.resolve("master-1.peer.key"));

    ScriptRun run = install("master-1");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.output()).contains("master-1.peer.key");
    assertThat(manifests.resolve("etcd.yaml")).doesNotExist();
    assertThat(pki.resolve("server.crt")).doesNotExist();
  }

  @Test
  void refusesANodeWithoutAManifest() {
    ScriptRun run = install("worker-1");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.output()).contains("worker-1.yaml");
    assertThat(manifests.resolve("etcd.yaml")).doesNotExist();
  }
}
