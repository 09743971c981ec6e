package dev.homecluster.render.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup-rsync.sh against the real rsync, between temporary directories. */
class BackupRsyncScriptTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path source;
  private Path backup;
  private Path terminationLog;

  @BeforeEach
  void setUp() throws IOException {
    ScriptProcess.requireTool("rsync", "rsync");
    source = Files.createDirectories(tmp.resolve("source"));
    backup = Files.createDirectories(tmp.resolve("backup"));
    terminationLog = tmp.resolve("termination-log");
  }

  private ScriptProcess.Result run(Path from, String... flags) {
    return runInto("cephfs", from, flags);
  }

  private ScriptProcess.Result runInto(String target, Path from, String... flags) {
    return ScriptProcess.run(
        tmp,
        RsyncCronJob.SCRIPT,
        Map.of(
            "SOURCE_DIR", from.toString(),
            "BACKUP_DIR", backup.toString(),
            "TARGET", target,
            "TERMINATION_LOG", terminationLog.toString()),
        flags);
  }

  @Test
  void copiesTheSourceAndRecordsTheResultInThreePlaces() throws IOException {
    Files.writeString(source.resolve("photo.jpg"), "x".repeat(1000));
    Files.createDirectories(source.resolve("docs"));
    Files.writeString(source.resolve("docs/letter.txt"), "dear backup");
    Instant before = Instant.now().minusSeconds(1);

    ScriptProcess.Result result = run(source, "-aHAX", "--delete-after");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(backup.resolve("cephfs/photo.jpg")).hasContent("x".repeat(1000));
    assertThat(backup.resolve("cephfs/docs/letter.txt")).hasContent("dear backup");
    JsonNode file = JSON.readTree(backup.resolve(".homecluster/rsync-last.json").toFile());
    assertThat(file.get("kind").asText()).isEqualTo("rsync");
    assertThat(file.get("exitCode").asInt()).isZero();
    assertThat(file.get("bytes").asLong()).isEqualTo(1000 + "dear backup".length());
    assertThat(Instant.parse(file.get("start").asText())).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    assertThat(Instant.parse(file.get("end").asText())).isAfterOrEqualTo(Instant.parse(file.get("start").asText()));
    assertThat(JSON.readTree(terminationLog.toFile())).isEqualTo(file);
    assertThat(JSON.readTree(result.resultLine())).isEqualTo(file);
    assertThat(result.output().strip()).endsWith(result.resultLine());
  }

  @Test
  void deleteAfterRemovesFilesGoneFromTheSourceButKeepsTheResultsDirectory() throws IOException {
    Files.writeString(source.resolve("keep.txt"), "keep");
    Files.writeString(source.resolve("gone.txt"), "gone");
    assertThat(run(source, "-a", "--delete-after").exitCode()).isZero();
    assertThat(backup.resolve("cephfs/gone.txt")).exists();

    Files.delete(source.resolve("gone.txt"));
    ScriptProcess.Result second = run(source, "-a", "--delete-after");

    assertThat(second.exitCode()).as(second.output()).isZero();
    assertThat(backup.resolve("cephfs/gone.txt")).doesNotExist();
    assertThat(backup.resolve("cephfs/keep.txt")).hasContent("keep");
    assertThat(backup.resolve(".homecluster/rsync-last.json")).exists();
    // Nothing changed in keep.txt, so the second run transferred nothing.
    assertThat(JSON.readTree(second.resultLine()).get("bytes").asLong()).isZero();
  }

  @Test
  void withoutDeleteFlagsFilesGoneFromTheSourceStayInTheBackup() throws IOException {
    Files.writeString(source.resolve("keep.txt"), "keep");
    Files.writeString(source.resolve("gone.txt"), "gone");
    run(source, "-a");
    Files.delete(source.resolve("gone.txt"));

    assertThat(run(source, "-a").exitCode()).isZero();

    assertThat(backup.resolve("cephfs/gone.txt")).hasContent("gone");
  }

  @Test
  void aFailingRsyncFailsTheJobWithItsExitCodeAndReason() throws IOException {
    ScriptProcess.Result result = run(tmp.resolve("no-such-dir"), "-a");

    assertThat(result.exitCode()).as(result.output()).isEqualTo(23);
    JsonNode json = JSON.readTree(terminationLog.toFile());
    assertThat(json.get("exitCode").asInt()).isEqualTo(23);
    assertThat(json.get("message").asText()).contains("no-such-dir").contains("No such file or directory");
    assertThat(JSON.readTree(backup.resolve(".homecluster/rsync-last.json").toFile())).isEqualTo(json);
  }

  @Test
  void anUnknownFlagIsRsyncsSyntaxErrorAndFailsTheRun() {
    ScriptProcess.Result result = run(source, "--no-such-option");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.resultLine()).contains("\"exitCode\":1");
  }

  @Test
  void filesVanishingDuringTheCopyCountAsSuccessButAreRecorded() throws IOException {
    // rsync exits 24 when files disappear mid-copy, which a live filesystem does every night.
    Path vanishing = tmp.resolve("rsync-vanishing");
    Files.writeString(
        vanishing,
        "#!/bin/sh\necho 'file has vanished: \"/source/tmp.lock\"'\n"
            + "echo 'Total transferred file size: 1,234 bytes'\nexit 24\n");
    vanishing.toFile().setExecutable(true);

    ScriptProcess.Result result =
        ScriptProcess.run(
            tmp,
            RsyncCronJob.SCRIPT,
            Map.of(
                "SOURCE_DIR", source.toString(),
                "BACKUP_DIR", backup.toString(),
                "RSYNC", vanishing.toString(),
                "TERMINATION_LOG", terminationLog.toString()),
            "-a");

    assertThat(result.exitCode()).isZero();
    JsonNode json = JSON.readTree(result.resultLine());
    assertThat(json.get("exitCode").asInt()).isEqualTo(24);
    assertThat(json.get("bytes").asLong()).isEqualTo(1234);
  }

  @Test
  void anEmptySourceNeverEmptiesAnExistingBackup() throws IOException {
    Files.writeString(source.resolve("photo.jpg"), "precious");
    assertThat(run(source, "-a", "--delete-after").exitCode()).isZero();
    Files.delete(source.resolve("photo.jpg")); // what an unmounted or wrong volume looks like

    ScriptProcess.Result result = run(source, "-a", "--delete-after");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(backup.resolve("cephfs/photo.jpg")).hasContent("precious");
    assertThat(JSON.readTree(result.resultLine()).get("message").asText())
        .startsWith("rsync: refusing to mirror the empty source");
  }

  @Test
  void anEmptySourceIntoAnEmptyBackupIsAnOrdinaryRun() {
    ScriptProcess.Result result = run(source, "-a", "--delete-after");

    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  /**
   * With --delete-after, a target that is the export or holds the etcd snapshots or the results
   * would delete them. The script refuses such targets however they are spelled, even if
   * validation were bypassed, and touches nothing.
   */
  @Test
  void refusesTargetsThatWouldMirrorOverTheExportOrWhatTheOperatorManages() throws IOException {
    Files.writeString(source.resolve("photo.jpg"), "precious");
    Path etcd = Files.createDirectories(backup.resolve("etcd"));
    Files.writeString(etcd.resolve("etcd-20261101T000000Z.db"), "snapshot");
    Path results = Files.createDirectories(backup.resolve(".homecluster"));
    Files.writeString(results.resolve("rsync-last.json"), "{}");
    Files.writeString(backup.resolve("notes.txt"), "mine");

    for (String target :
        List.of(".", "./", ".//.", "etcd", "./etcd/", "etcd//old", ".homecluster", "./.homecluster/x")) {
      ScriptProcess.Result result = runInto(target, source, "-a", "--delete-after");

      assertThat(result.exitCode()).as(target + ": " + result.output()).isEqualTo(2);
      assertThat(result.output()).as(target).contains("TARGET '" + target + "'");
    }

    assertThat(etcd.resolve("etcd-20261101T000000Z.db")).hasContent("snapshot");
    assertThat(results.resolve("rsync-last.json")).hasContent("{}");
    assertThat(backup.resolve("notes.txt")).hasContent("mine");
    assertThat(backup.resolve("photo.jpg")).doesNotExist();
    assertThat(etcd.resolve("photo.jpg")).doesNotExist();
  }

  @Test
  void aTargetNamedLikeAManagedDirectoryDeeperDownIsAnOrdinaryTarget() throws IOException {
    Files.writeString(source.resolve("photo.jpg"), "precious");

    ScriptProcess.Result result = runInto("./copies//etcd/", source, "-a", "--delete-after");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(backup.resolve("copies/etcd/photo.jpg")).hasContent("precious");
  }

  /**
   * The export squashes every client to one uid, so the copy cannot chown: owners, groups and
   * modes travel as rsync's fake-super attribute, and a restore as root with {@code --fake-super
   * -M--super} gives each file its owner back.
   */
  @Test
  void ownersAreKeptInExtendedAttributesAndComeBackOnRestore() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
    Path photo = Files.writeString(source.resolve("photo.jpg"), "precious");
    Files.setAttribute(photo, "unix:uid", 1234);
    Files.setAttribute(photo, "unix:gid", 2345);
    Files.setPosixFilePermissions(photo, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));

    ScriptProcess.Result result = run(source, "-aHAX", "--delete-after");

    assertThat(result.exitCode()).as(result.output()).isZero();
    Path copy = backup.resolve("cephfs/photo.jpg");
    assertThat((Integer) Files.getAttribute(copy, "unix:uid")).isZero();
    var xattrs = Files.getFileAttributeView(copy, java.nio.file.attribute.UserDefinedFileAttributeView.class);
    java.nio.ByteBuffer stat = java.nio.ByteBuffer.allocate(xattrs.size("rsync.%stat"));
    xattrs.read("rsync.%stat", stat);
    assertThat(new String(stat.array(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("100640 0,0 1234:2345");

    Path restored = Files.createDirectories(tmp.resolve("restored"));
    Process restore =
        new ProcessBuilder("rsync", "-aHAX", "--fake-super", "-M--super", backup.resolve("cephfs") + "/", restored + "/")
            .redirectErrorStream(true)
            .start();
    String out = new String(restore.getInputStream().readAllBytes());
    assertThat(restore.waitFor()).as(out).isZero();
    assertThat((Integer) Files.getAttribute(restored.resolve("photo.jpg"), "unix:uid")).isEqualTo(1234);
    assertThat((Integer) Files.getAttribute(restored.resolve("photo.jpg"), "unix:gid")).isEqualTo(2345);
  }
}
