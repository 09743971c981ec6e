#!/bin/sh
# Takes a ZFS snapshot of the backup dataset, then destroys this operator's oldest snapshots of
# that dataset beyond the number to keep. Snapshots it did not make are never touched: only
# names of the exact form <dataset>@homecluster-YYYYMMDDTHHMMSSZ are candidates, and never the
# snapshot this run has just taken.
#
# "Oldest" is by the snapshot's creation property, not the date in its name: a board without a
# clock chip can boot with its clock years ahead, and the names taken then sort after every later
# snapshot. Sorting by name would destroy each new snapshot right after taking it.
#
# Environment:
#   ZFS_DATASET       the dataset, for example tank or tank/backups        (required)
#   KEEP_SNAPSHOTS    how many homecluster-* snapshots to keep, at least 1  (required)
#   ZFS               the zfs command, split on spaces so that it may carry a prefix; the
#                     CronJob runs the host's own zfs with "nsenter --target 1 --mount -- zfs"
#                                                                           (zfs)
#   TERMINATION_LOG   where Kubernetes reads the termination message (/dev/termination-log)
#
# The result, {"kind":"zfs-snapshot","start":...,"end":...,"snapshot":...,"destroyed":N,
# "exitCode":N,"message":...}, goes to TERMINATION_LOG and to the last log line, prefixed with
# "HOMECLUSTER_RESULT ".
set -u

ZFS=${ZFS:-zfs}
TERMINATION_LOG=${TERMINATION_LOG:-/dev/termination-log}
PREFIX=homecluster-

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
start=$(now)
snapshot=""
destroyed=0

finish() {
  rc=$1
  message=$(printf '%s' "${2:-}" | cut -c 1-300 | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g')
  result=$(printf '{"kind":"zfs-snapshot","start":"%s","end":"%s","snapshot":"%s","destroyed":%s,"exitCode":%s,"message":"%s"}' \
    "$start" "$(now)" "$snapshot" "$destroyed" "$rc" "$message")
  printf '%s' "$result" > "$TERMINATION_LOG" 2>/dev/null || true
  echo "HOMECLUSTER_RESULT $result"
  exit "$rc"
}

zfs_cmd() {
  # Deliberately unquoted: ZFS may be a command with a prefix (nsenter ... -- zfs).
  # shellcheck disable=SC2086
  $ZFS "$@"
}

case "${ZFS_DATASET:-}" in
  ''|*@*|*' '*|/*) finish 2 "ZFS_DATASET must be a dataset name such as tank/backups, got '${ZFS_DATASET:-}'" ;;
esac
case "${KEEP_SNAPSHOTS:-}" in
  ''|*[!0-9]*) finish 2 "KEEP_SNAPSHOTS must be a whole number, got '${KEEP_SNAPSHOTS:-}'" ;;
esac
[ "$KEEP_SNAPSHOTS" -ge 1 ] || finish 2 "KEEP_SNAPSHOTS must be at least 1, got $KEEP_SNAPSHOTS"

snapshot="$ZFS_DATASET@$PREFIX$(date -u +%Y%m%dT%H%M%SZ)"
echo "zfs-snapshot: creating $snapshot"
if ! out=$(zfs_cmd snapshot "$snapshot" 2>&1); then
  echo "$out" >&2
  failed=$snapshot
  snapshot=""
  finish 1 "zfs snapshot $failed failed: $out"
fi

# Snapshots of this dataset only (-d 1: not of its children) with their creation time in seconds
# (-p), oldest first; sorted here again so that the order never depends on the listing's.
if ! listing=$(zfs_cmd list -H -p -o name,creation -t snapshot -s creation -d 1 "$ZFS_DATASET" 2>&1); then
  echo "$listing" >&2
  finish 1 "zfs list failed: $listing"
fi
tab=$(printf '\t')
# Ours other than the one just taken, as "<creation> <name>"; the new one is never a candidate.
others=$(printf '%s\n' "$listing" \
  | while IFS="$tab" read -r name creation; do
      case "$name" in
        "$snapshot") continue ;;
        "$ZFS_DATASET@$PREFIX"*) ;;
        *) continue ;;
      esac
      stamp=${name#"$ZFS_DATASET@$PREFIX"}
      printf '%s\n' "$stamp" | grep -q -x -E '[0-9]{8}T[0-9]{6}Z' || continue
      case "$creation" in
        ''|*[!0-9]*) echo "zfs-snapshot: $name has no creation time ('$creation'), skipped" >&2; continue ;;
      esac
      printf '%s %s\n' "$creation" "$name"
    done | sort -n -k1,1 -k2,2)
count=$(($(printf '%s\n' "$others" | grep -c -v -x -e '') + 1))
excess=$((count - KEEP_SNAPSHOTS))
echo "zfs-snapshot: $count snapshots made by homecluster, keeping $KEEP_SNAPSHOTS"

if [ "$excess" -gt 0 ]; then
  for name in $(printf '%s\n' "$others" | head -n "$excess" | cut -d' ' -f2); do
    echo "zfs-snapshot: destroying $name"
    # Never -r or -R: exactly this one snapshot.
    if ! out=$(zfs_cmd destroy "$name" 2>&1); then
      echo "$out" >&2
      finish 1 "zfs destroy $name failed: $out"
    fi
    destroyed=$((destroyed + 1))
  done
fi
finish 0 ""
