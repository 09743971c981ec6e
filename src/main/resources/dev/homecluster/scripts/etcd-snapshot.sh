#!/bin/sh
# Saves an etcd snapshot to the backup export, verifies it, then deletes this job's oldest
# snapshots beyond the number to keep. Only files named etcd-YYYYMMDDTHHMMSSZ.db in
# SNAPSHOT_DIR are candidates for deletion, and never the snapshot this run saved.
#
# "Oldest" is by modification time, not by the date in the name: a board without a clock chip
# can boot with its clock years ahead, and the names written then sort after every later
# snapshot. Sorting by name would delete each new snapshot right after saving it. The mtime of a
# file on the NFS export is set by the backup node's clock, one clock for every writer.
#
# Environment:
#   ETCD_ENDPOINTS    etcd client URL(s)                               (https://127.0.0.1:2379)
#   ETCD_CACERT       etcd CA certificate      (/etc/homecluster/etcd-client/ca.crt)
#   ETCD_CERT         client certificate       (/etc/homecluster/etcd-client/tls.crt)
#   ETCD_KEY          client key               (/etc/homecluster/etcd-client/tls.key)
#   SNAPSHOT_DIR      where snapshots go                               (/backup/etcd)
#   KEEP              how many snapshots to keep, at least 1           (required)
#   ETCDCTL, ETCDUTL  the binaries                                     (etcdctl, etcdutl)
#   TERMINATION_LOG   where Kubernetes reads the termination message   (/dev/termination-log)
#
# Verification uses "etcdutl snapshot status". Where etcdutl is not installed (etcd before
# 3.5, as Debian 12 ships), "etcdctl snapshot status" does the same check.
#
# The result, {"kind":"etcd-snapshot","start":...,"end":...,"file":...,"bytes":N,"revision":N,
# "deleted":N,"exitCode":N,"message":...}, goes to TERMINATION_LOG and to the last log line,
# prefixed with "HOMECLUSTER_RESULT ".
set -u

ETCD_ENDPOINTS=${ETCD_ENDPOINTS:-https://127.0.0.1:2379}
ETCD_CACERT=${ETCD_CACERT:-/etc/homecluster/etcd-client/ca.crt}
ETCD_CERT=${ETCD_CERT:-/etc/homecluster/etcd-client/tls.crt}
ETCD_KEY=${ETCD_KEY:-/etc/homecluster/etcd-client/tls.key}
SNAPSHOT_DIR=${SNAPSHOT_DIR:-/backup/etcd}
ETCDCTL=${ETCDCTL:-etcdctl}
ETCDUTL=${ETCDUTL:-etcdutl}
TERMINATION_LOG=${TERMINATION_LOG:-/dev/termination-log}

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
start=$(now)
file=""
bytes=0
revision=0
deleted=0

finish() {
  rc=$1
  message=$(printf '%s' "${2:-}" | tr '\n' ' ' | cut -c 1-300 | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g')
  result=$(printf '{"kind":"etcd-snapshot","start":"%s","end":"%s","file":"%s","bytes":%s,"revision":%s,"deleted":%s,"exitCode":%s,"message":"%s"}' \
    "$start" "$(now)" "$file" "$bytes" "$revision" "$deleted" "$rc" "$message")
  printf '%s' "$result" > "$TERMINATION_LOG" 2>/dev/null || true
  echo "HOMECLUSTER_RESULT $result"
  exit "$rc"
}

case "${KEEP:-}" in
  ''|*[!0-9]*) finish 2 "KEEP must be a whole number, got '${KEEP:-}'" ;;
esac
[ "$KEEP" -ge 1 ] || finish 2 "KEEP must be at least 1, got $KEEP"

mkdir -p "$SNAPSHOT_DIR" || finish 1 "cannot create $SNAPSHOT_DIR"
name="etcd-$(date -u +%Y%m%dT%H%M%SZ).db"
# Saved under a name retention ignores, and renamed only once verified: a half-written or
# corrupt snapshot never takes the place of a good one.
partial="$SNAPSHOT_DIR/.$name.partial"
trap 'rm -f "$partial"' EXIT

etcdctl_tls() {
  ETCDCTL_API=3 "$ETCDCTL" --endpoints="$ETCD_ENDPOINTS" --cacert="$ETCD_CACERT" \
    --cert="$ETCD_CERT" --key="$ETCD_KEY" --dial-timeout=10s "$@"
}

# A quick look first: a rejected certificate or an unreachable member fails here in seconds,
# where the snapshot stream would wait for its whole timeout.
if ! out=$(etcdctl_tls --command-timeout=15s endpoint status 2>&1); then
  echo "$out" >&2
  finish 1 "etcd at $ETCD_ENDPOINTS is not reachable: $(printf '%s\n' "$out" | tail -n 1)"
fi

echo "etcd-snapshot: saving from $ETCD_ENDPOINTS"
if ! out=$(etcdctl_tls --command-timeout=300s snapshot save "$partial" 2>&1); then
  echo "$out" >&2
  finish 1 "etcdctl snapshot save failed: $(printf '%s\n' "$out" | tail -n 1)"
fi
echo "$out"

if command -v "$ETCDUTL" > /dev/null 2>&1; then
  status=$("$ETCDUTL" snapshot status "$partial" -w simple 2>&1)
else
  status=$(ETCDCTL_API=3 "$ETCDCTL" snapshot status "$partial" -w simple 2>&1)
fi
status_rc=$?
echo "etcd-snapshot: status (hash, revision, keys, size): $status"
if [ "$status_rc" -ne 0 ]; then
  finish 1 "snapshot status failed: $(printf '%s\n' "$status" | tail -n 1)"
fi
# "-w simple" prints: hash, revision, total keys, total size[, version]
revision=$(printf '%s\n' "$status" | tail -n 1 | cut -d, -f2 | tr -d ' ')
case "$revision" in
  ''|*[!0-9]*) finish 1 "snapshot status printed no revision: $status" ;;
esac

mv "$partial" "$SNAPSHOT_DIR/$name" || finish 1 "cannot rename the snapshot to $name"
file="$SNAPSHOT_DIR/$name"
bytes=$(wc -c < "$file" | tr -d ' ')
echo "etcd-snapshot: saved $file ($bytes bytes, revision $revision)"

# "<mtime> <name>" for our files other than the one just saved, oldest first (name breaks ties).
others=$(cd "$SNAPSHOT_DIR" && for f in etcd-*.db; do
    printf '%s\n' "$f" | grep -q -x -E 'etcd-[0-9]{8}T[0-9]{6}Z\.db' || continue
    [ "$f" = "$name" ] && continue
    printf '%s %s\n' "$(stat -c %Y "$f")" "$f"
  done | sort -n -k1,1 -k2,2)
# The snapshot just saved counts towards KEEP and is never a candidate.
count=$(printf '%s\n' "$others" | grep -c -v -x -e '')
excess=$((count + 1 - KEEP))
if [ "$excess" -gt 0 ]; then
  for old in $(printf '%s\n' "$others" | head -n "$excess" | cut -d' ' -f2); do
    echo "etcd-snapshot: deleting $old"
    rm -f "$SNAPSHOT_DIR/$old" || finish 1 "cannot delete $old"
    deleted=$((deleted + 1))
  done
fi
finish 0 ""
