#!/bin/sh
# Copies the Ceph filesystem to the backup export, then records the outcome.
#
# Usage: backup-rsync.sh [rsync flags...]   (the CronJob passes spec.backup.rsync.flags)
#
# Environment (defaults are the paths inside the CronJob's pod):
#   SOURCE_DIR        the CephFS volume, mounted read-only        (/source)
#   BACKUP_DIR        the NFS export                               (/backup)
#   TARGET            directory under BACKUP_DIR for the copy      (cephfs)
#   MANAGED_DIRS      top-level directories of BACKUP_DIR that others write, which TARGET may
#                     neither be nor lie in                         (etcd .homecluster)
#   RSYNC             rsync binary                                  (rsync)
#   TERMINATION_LOG   where Kubernetes reads the termination message (/dev/termination-log)
#
# TARGET is refused (exit 2, nothing copied) when it is empty, absolute, has a '..', names
# BACKUP_DIR itself ('.', './', './/.') or is or lies in one of MANAGED_DIRS: the flags usually
# carry --delete-after, which would delete the etcd snapshots or the results next to the copy.
# The operator's validation refuses such a target first; this is the last line of defence.
#
# The receiving side runs with --fake-super (-M--fake-super: the receiver only, as this is a local
# copy): the export squashes every client user to one uid (all_squash), so rsync cannot chown
# there. It stores each file's owner, group, mode, device numbers and non-user xattrs in the
# extended attribute user.rsync.%stat (and friends) instead, which NFS 4.2 carries. A restore
# reads them back with "rsync -aHAX --fake-super -M--super <backup>/ <destination>/" as root.
#
# An empty source over a backup that has files is refused (exit 3): with --delete-after it would
# empty the copy, which is what a wrongly provisioned or unmounted CephFS volume looks like.
#
# The result, {"kind":"rsync","start":...,"end":...,"bytes":...,"exitCode":...,"message":...}
# (message: rsync's first error line, empty on success), is written to
# BACKUP_DIR/.homecluster/rsync-last.json, to TERMINATION_LOG (the operator reads it from the
# Job's pod status) and as the last log line, prefixed with "HOMECLUSTER_RESULT ".
# The script exits with rsync's exit code, except 24 (files vanished during the copy, normal on
# a live filesystem), which counts as success and is still recorded in exitCode.
set -u

SOURCE_DIR=${SOURCE_DIR:-/source}
BACKUP_DIR=${BACKUP_DIR:-/backup}
TARGET=${TARGET:-cephfs}
MANAGED_DIRS=${MANAGED_DIRS:-etcd .homecluster}
RSYNC=${RSYNC:-rsync}
TERMINATION_LOG=${TERMINATION_LOG:-/dev/termination-log}

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

start=$(now)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case "$TARGET" in
  ''|/*|*..*) echo "backup-rsync: TARGET must be a relative path without '..', got '$TARGET'" >&2; exit 2 ;;
esac
# TARGET without empty and '.' segments: what rsync will write into. Its first segment decides
# whether it is, or lies in, a managed directory.
set -f
normalised=""
old_ifs=$IFS
IFS=/
for segment in $TARGET; do
  case "$segment" in
    ''|.) ;;
    *) normalised="${normalised:+$normalised/}$segment" ;;
  esac
done
IFS=$old_ifs
set +f
if [ -z "$normalised" ]; then
  echo "backup-rsync: TARGET '$TARGET' is the export itself, refusing to mirror over every backup in it" >&2
  exit 2
fi
for managed in $MANAGED_DIRS; do
  case "$normalised" in
    "$managed"|"$managed"/*)
      echo "backup-rsync: TARGET '$TARGET' is or lies in '$managed', which the operator manages; refusing" >&2
      exit 2 ;;
  esac
done
TARGET=$normalised

mkdir -p "$BACKUP_DIR/$TARGET" "$BACKUP_DIR/.homecluster"
mkdir_rc=$?

if [ "$mkdir_rc" -ne 0 ]; then
  rc=$mkdir_rc
  : > "$work/out"
elif [ -d "$SOURCE_DIR" ] && [ -z "$(ls -A "$SOURCE_DIR")" ] && [ -n "$(ls -A "$BACKUP_DIR/$TARGET")" ]; then
  rc=3
  echo "rsync: refusing to mirror the empty source $SOURCE_DIR over the backup in $BACKUP_DIR/$TARGET" | tee "$work/out"
else
  # rsync's output goes to the log as it comes; its exit code is kept aside (no pipefail in sh).
  { "$RSYNC" "$@" -M--fake-super --stats "$SOURCE_DIR/" "$BACKUP_DIR/$TARGET/" 2>&1; echo $? > "$work/rc"; } | tee "$work/out"
  rc=$(cat "$work/rc")
fi

# "Total transferred file size: 1,234 bytes": digit grouping depends on rsync's version.
# The first error line rsync printed, as the reason the operator shows for a failed run.
message=$(grep -m 1 -E '^rsync(: | error:)' "$work/out" | cut -c 1-300 | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g')
bytes=$(sed -n 's/^Total transferred file size: *\([0-9,.]*\).*/\1/p' "$work/out" | tr -d ',.' | head -n 1)
[ -n "$bytes" ] || bytes=0
end=$(now)

result=$(printf '{"kind":"rsync","start":"%s","end":"%s","bytes":%s,"exitCode":%s,"message":"%s"}' \
  "$start" "$end" "$bytes" "$rc" "$message")
if [ -d "$BACKUP_DIR/.homecluster" ]; then
  printf '%s\n' "$result" > "$BACKUP_DIR/.homecluster/rsync-last.json.tmp" \
    && mv "$BACKUP_DIR/.homecluster/rsync-last.json.tmp" "$BACKUP_DIR/.homecluster/rsync-last.json"
fi
printf '%s' "$result" > "$TERMINATION_LOG" 2>/dev/null || true
echo "HOMECLUSTER_RESULT $result"

if [ "$rc" -eq 24 ]; then
  exit 0
fi
exit "$rc"
