package dev.homecluster.render.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nfs-export-owner.sh, run for real under busybox's sh and applets as in the NFS image, on a
 * temporary export written by root (what an export served with no_root_squash holds).
 */
class NfsExportOwnerScriptTest {
  private static final String ID = String.valueOf(NfsExports.BACKUP_UID);

  @TempDir Path tmp;
  private Path export;

  @BeforeEach
  void setUp() throws IOException {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
    export = Files.createDirectories(tmp.resolve("export"));
    Files.createDirectories(export.resolve("cephfs/photos"));
    Files.writeString(export.resolve("cephfs/photos/2019.jpg"), "precious");
    Files.createDirectories(export.resolve("etcd"));
    Files.writeString(export.resolve("etcd/etcd-20261101T000000Z.db"), "snapshot");
    Files.createSymbolicLink(export.resolve("cephfs/latest"), Path.of("/etc/passwd"));
  }

  private ScriptProcess.Result run() {
    return ScriptProcess.runWithBusybox(tmp, NfsServer.OWNER_SCRIPT, Map.of(), export.toString(), ID);
  }

  private static int uid(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }

  private static int gid(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void givesTheExportAndEverythingInItToTheSquashedUidButNeverFollowsLinks() throws IOException {
    int passwdOwner = uid(Path.of("/etc/passwd"));

    ScriptProcess.Result result = run();

    assertThat(result.exitCode()).as(result.output()).isZero();
    try (Stream<Path> all = Files.walk(export)) {
      for (Path path : all.toList()) {
        assertThat(uid(path)).as(path.toString()).isEqualTo(NfsExports.BACKUP_UID);
        assertThat(gid(path)).as(path.toString()).isEqualTo(NfsExports.BACKUP_UID);
      }
    }
    assertThat(uid(Path.of("/etc/passwd"))).isEqualTo(passwdOwner);
    assertThat(export.resolve("cephfs/photos/2019.jpg")).hasContent("precious");
  }

  @Test
  void anExportThatIsAlreadyOwnedIsNotWalkedAgain() throws IOException {
    assertThat(run().exitCode()).isZero();
    // Something written by root afterwards (on the node itself): a second start leaves it alone.
    Path later = Files.writeString(export.resolve("root-owned-note.txt"), "mine");
    Files.setAttribute(later, "unix:uid", 0);

    ScriptProcess.Result again = run();

    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output()).contains("belongs to " + ID + ":" + ID).doesNotContain("giving");
    assertThat(uid(later)).isZero();
  }

  @Test
  void refusesAnIdThatIsNotANumber() {
    ScriptProcess.Result result =
        ScriptProcess.runWithBusybox(tmp, NfsServer.OWNER_SCRIPT, Map.of(), export.toString(), "nobody");

    assertThat(result.exitCode()).isEqualTo(2);
  }
}
