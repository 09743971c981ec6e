package dev.homecluster.render.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zfs-snapshot.sh against a zfs stand-in: real ZFS cannot run here. The stand-in records every
 * call, lists the snapshots of a fixture file (adding the ones the script creates) and removes
 * destroyed ones from it, so the fixture is the pool's state after the run.
 */
class ZfsSnapshotScriptTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern OURS = Pattern.compile("tank/backups@homecluster-\\d{8}T\\d{6}Z");

  @TempDir Path tmp;
  private Path calls;
  private Path snapshots;
  private Path zfs;

  @BeforeEach
  void setUp() throws IOException {
    calls = tmp.resolve("calls");
    snapshots = tmp.resolve("snapshots");
    zfs = tmp.resolve("zfs");
    Files.writeString(
        zfs,
        """
        #!/bin/sh
        echo "$*" >> "$ZFS_CALLS"
        case "$1" in
          snapshot) echo "$2" >> "$ZFS_SNAPSHOTS" ;;
          list) [ -n "$ZFS_FAIL_LIST" ] && { echo "cannot open 'tank': pool I/O is suspended" >&2; exit 1; }
                cat "$ZFS_SNAPSHOTS" ;;
          destroy) grep -v -x -F -e "$2" "$ZFS_SNAPSHOTS" > "$ZFS_SNAPSHOTS.new"; mv "$ZFS_SNAPSHOTS.new" "$ZFS_SNAPSHOTS" ;;
        esac
        """);
    zfs.toFile().setExecutable(true);
  }

  private ScriptProcess.Result run(int keep, Map<String, String> extraEnv) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "ZFS", zfs.toString(),
        "ZFS_CALLS", calls.toString(),
        "ZFS_SNAPSHOTS", snapshots.toString(),
        "ZFS_DATASET", "tank/backups",
        "KEEP_SNAPSHOTS", String.valueOf(keep),
        "TERMINATION_LOG", tmp.resolve("termination-log").toString()));
    env.putAll(extraEnv);
    return ScriptProcess.run(tmp, ZfsSnapshotCronJob.SCRIPT, env);
  }

  private List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void destroysOnlyTheOldestHomeclusterSnapshotsBeyondKeepAndNeverForeignOnes() throws IOException {
    List<String> foreign =
        List.of(
            "tank/backups@manual-before-upgrade",
            "tank/backups@zfs-auto-snap_daily-2026-01-01-0000",
            "tank/backups@homecluster-old", // our prefix, but not a name we would make
            "tank/backups@homecluster-20200101T000000Z-keep"); // likewise
    Files.writeString(
        snapshots,
        String.join(
                "\n",
                // Listed out of order: the script sorts by the timestamp in the name.
                "tank/backups@homecluster-20261103T033000Z",
                foreign.get(0),
                "tank/backups@homecluster-20261101T033000Z",
                foreign.get(1),
                "tank/backups@homecluster-20261104T033000Z",
                foreign.get(2),
                "tank/backups@homecluster-20261102T033000Z",
                foreign.get(3))
            + "\n");

    ScriptProcess.Result result = run(3, Map.of());

    assertThat(result.exitCode()).as(result.output()).isZero();
    List<String> recorded = lines(calls);
    assertThat(recorded.get(0)).matches("snapshot " + OURS.pattern());
    String created = recorded.get(0).substring("snapshot ".length());
    assertThat(recorded.get(1)).isEqualTo("list -H -p -t snapshot -o name -d 1 tank/backups");
    assertThat(recorded.subList(2, recorded.size()))
        .containsExactly(
            "destroy tank/backups@homecluster-20261101T033000Z",
            "destroy tank/backups@homecluster-20261102T033000Z");
    assertThat(lines(snapshots))
        .containsAll(foreign)
        .contains("tank/backups@homecluster-20261103T033000Z", "tank/backups@homecluster-20261104T033000Z", created)
        .hasSize(foreign.size() + 3);
    JsonNode json = JSON.readTree(result.resultLine());
    assertThat(json.get("kind").asText()).isEqualTo("zfs-snapshot");
    assertThat(json.get("snapshot").asText()).isEqualTo(created);
    assertThat(json.get("destroyed").asInt()).isEqualTo(2);
    assertThat(JSON.readTree(tmp.resolve("termination-log").toFile())).isEqualTo(json);
  }

  @Test
  void destroysNothingWhileThereAreNoMoreThanKeep() throws IOException {
    Files.writeString(snapshots, "tank/backups@homecluster-20261101T033000Z\ntank/backups@hourly-1\n");

    ScriptProcess.Result result = run(2, Map.of());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(lines(calls)).noneMatch(c -> c.startsWith("destroy"));
    assertThat(lines(snapshots)).hasSize(3);
  }

  @Test
  void neverDestroysSnapshotsOfOtherDatasetsWithTheSamePrefix() throws IOException {
    // A child dataset and a dataset whose name starts with ours.
    Files.writeString(
        snapshots,
        "tank/backups/photos@homecluster-20200101T000000Z\n"
            + "tank/backups2@homecluster-20200101T000000Z\n"
            + "tank/backups@homecluster-20261101T033000Z\n");

    ScriptProcess.Result result = run(1, Map.of());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(lines(calls))
        .filteredOn(c -> c.startsWith("destroy"))
        .containsExactly("destroy tank/backups@homecluster-20261101T033000Z");
  }

  @Test
  void aFailingListFailsTheRunWithZfsMessageAndDestroysNothing() throws IOException {
    Files.writeString(snapshots, "tank/backups@homecluster-20261101T033000Z\n");

    ScriptProcess.Result result = run(1, Map.of("ZFS_FAIL_LIST", "1"));

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(lines(calls)).noneMatch(c -> c.startsWith("destroy"));
    assertThat(JSON.readTree(result.resultLine()).get("message").asText())
        .contains("pool I/O is suspended");
  }

  @Test
  void refusesKeepBelowOneWithoutTouchingZfs() {
    ScriptProcess.Result result = run(0, Map.of());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(calls).doesNotExist();
  }
}
