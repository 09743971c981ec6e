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
 * call and keeps the pool's snapshots in a fixture file, one {@code name<TAB>creation} line each
 * (creation in seconds since the epoch, what {@code -p} prints). It adds the snapshots the script
 * takes with the current time as their creation, removes destroyed ones, and lists like {@code zfs
 * list -H -p}: tab-separated columns in the order {@code -o} names, sorted ascending by the
 * property {@code -s} names, so the fixture is the pool's state after the run.
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
          snapshot) printf '%s\t%s\n' "$2" "$(date +%s)" >> "$ZFS_SNAPSHOTS" ;;
          list) [ -n "$ZFS_FAIL_LIST" ] && { echo "cannot open 'tank': pool I/O is suspended" >&2; exit 1; }
                columns=name; sortby=""
                while [ $# -gt 0 ]; do
                  case "$1" in
                    -o) columns=$2; shift ;;
                    -s) sortby=$2; shift ;;
                  esac
                  shift
                done
                case "$sortby" in
                  creation) sort -t "$(printf '\t')" -k2,2n "$ZFS_SNAPSHOTS" ;;
                  "") cat "$ZFS_SNAPSHOTS" ;;
                  *) echo "stand-in: cannot sort by $sortby" >&2; exit 2 ;;
                esac | case "$columns" in
                  name) cut -f1 ;;
                  name,creation) cat ;;
                  *) echo "stand-in: cannot list $columns" >&2; exit 2 ;;
                esac ;;
          destroy) awk -F '\t' -v gone="$2" '$1 != gone' "$ZFS_SNAPSHOTS" > "$ZFS_SNAPSHOTS.new"; mv "$ZFS_SNAPSHOTS.new" "$ZFS_SNAPSHOTS" ;;
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

  /** The snapshot names in the fixture, without their creation times. */
  private List<String> names() throws IOException {
    return lines(snapshots).stream().map(l -> l.split("\t")[0]).toList();
  }

  /** Writes the fixture: name and creation time pairs. */
  private void pool(Object... nameAndCreation) throws IOException {
    StringBuilder fixture = new StringBuilder();
    for (int i = 0; i < nameAndCreation.length; i += 2) {
      fixture.append(nameAndCreation[i]).append('\t').append(nameAndCreation[i + 1]).append('\n');
    }
    Files.writeString(snapshots, fixture);
  }

  /** Seconds since the epoch of a compact UTC stamp such as 20261101T033000Z. */
  private static long epoch(String stamp) {
    return java.time.LocalDateTime.parse(stamp, java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
        .toEpochSecond(java.time.ZoneOffset.UTC);
  }

  @Test
  void destroysOnlyTheOldestHomeclusterSnapshotsBeyondKeepAndNeverForeignOnes() throws IOException {
    List<String> foreign =
        List.of(
            "tank/backups@manual-before-upgrade",
            "tank/backups@zfs-auto-snap_daily-2026-01-01-0000",
            "tank/backups@homecluster-old", // our prefix, but not a name we would make
            "tank/backups@homecluster-20200101T000000Z-keep"); // likewise
    pool(
        // Listed out of order: the script orders by creation.
        "tank/backups@homecluster-20261103T033000Z", epoch("20261103T033000Z"),
        foreign.get(0), epoch("20200101T000000Z"),
        "tank/backups@homecluster-20261101T033000Z", epoch("20261101T033000Z"),
        foreign.get(1), epoch("20260101T000000Z"),
        "tank/backups@homecluster-20261104T033000Z", epoch("20261104T033000Z"),
        foreign.get(2), epoch("20200101T000000Z"),
        "tank/backups@homecluster-20261102T033000Z", epoch("20261102T033000Z"),
        foreign.get(3), epoch("20200101T000000Z"));

    ScriptProcess.Result result = run(3, Map.of());

    assertThat(result.exitCode()).as(result.output()).isZero();
    List<String> recorded = lines(calls);
    assertThat(recorded.get(0)).matches("snapshot " + OURS.pattern());
    String created = recorded.get(0).substring("snapshot ".length());
    assertThat(recorded.get(1))
        .isEqualTo("list -H -p -o name,creation -t snapshot -s creation -d 1 tank/backups");
    assertThat(recorded.subList(2, recorded.size()))
        .containsExactly(
            "destroy tank/backups@homecluster-20261101T033000Z",
            "destroy tank/backups@homecluster-20261102T033000Z");
    assertThat(names())
        .containsAll(foreign)
        .contains("tank/backups@homecluster-20261103T033000Z", "tank/backups@homecluster-20261104T033000Z", created)
        .hasSize(foreign.size() + 3);
    JsonNode json = JSON.readTree(result.resultLine());
    assertThat(json.get("kind").asText()).isEqualTo("zfs-snapshot");
    assertThat(json.get("snapshot").asText()).isEqualTo(created);
    assertThat(json.get("destroyed").asInt()).isEqualTo(2);
    assertThat(JSON.readTree(tmp.resolve("termination-log").toFile())).isEqualTo(json);
  }

  /**
   * A board without a clock chip took snapshots while its clock was years ahead: their names
   * and, as the clock gave them then, their creation times lie after every later snapshot.
   * Retention goes by creation and never destroys the snapshot the run has just taken.
   */
  @Test
  void futureDatedSnapshotsNeverCostTheNewOne() throws Exception {
    long now = java.time.Instant.now().getEpochSecond();
    pool(
        // Future name and future creation: taken while the clock was a year ahead.
        "tank/backups@homecluster-20991231T000000Z", now + 365L * 86400,
        // Future name, but created a month ago: by creation the oldest.
        "tank/backups@homecluster-20991230T000000Z", now - 30L * 86400,
        "tank/backups@homecluster-20261101T033000Z", now - 86400);

    ScriptProcess.Result result = run(2, Map.of());

    assertThat(result.exitCode()).as(result.output()).isZero();
    String created = JSON.readTree(result.resultLine()).get("snapshot").asText();
    assertThat(created).matches(OURS.pattern());
    // Keep 2: the new snapshot, and of the others the latest created.
    assertThat(names()).containsExactlyInAnyOrder(created, "tank/backups@homecluster-20991231T000000Z");
    assertThat(lines(calls))
        .filteredOn(c -> c.startsWith("destroy"))
        .containsExactly(
            "destroy tank/backups@homecluster-20991230T000000Z",
            "destroy tank/backups@homecluster-20261101T033000Z");

    // KEEP=1: only the new snapshot stays, although by creation it is the oldest. A second later,
    // so that its name differs from the first run's.
    Thread.sleep(1100);
    ScriptProcess.Result again = run(1, Map.of());
    assertThat(again.exitCode()).as(again.output()).isZero();
    String createdAgain = JSON.readTree(again.resultLine()).get("snapshot").asText();
    assertThat(names()).containsExactly(createdAgain);
  }

  @Test
  void destroysNothingWhileThereAreNoMoreThanKeep() throws IOException {
    pool("tank/backups@homecluster-20261101T033000Z", epoch("20261101T033000Z"), "tank/backups@hourly-1", 1L);

    ScriptProcess.Result result = run(2, Map.of());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(lines(calls)).noneMatch(c -> c.startsWith("destroy"));
    assertThat(lines(snapshots)).hasSize(3);
  }

  @Test
  void neverDestroysSnapshotsOfOtherDatasetsWithTheSamePrefix() throws IOException {
    // A child dataset and a dataset whose name starts with ours.
    pool(
        "tank/backups/photos@homecluster-20200101T000000Z", epoch("20200101T000000Z"),
        "tank/backups2@homecluster-20200101T000000Z", epoch("20200101T000000Z"),
        "tank/backups@homecluster-20261101T033000Z", epoch("20261101T033000Z"));

    ScriptProcess.Result result = run(1, Map.of());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(lines(calls))
        .filteredOn(c -> c.startsWith("destroy"))
        .containsExactly("destroy tank/backups@homecluster-20261101T033000Z");
  }

  @Test
  void aFailingListFailsTheRunWithZfsMessageAndDestroysNothing() throws IOException {
    pool("tank/backups@homecluster-20261101T033000Z", epoch("20261101T033000Z"));

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
