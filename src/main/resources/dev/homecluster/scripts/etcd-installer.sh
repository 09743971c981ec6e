#!/bin/sh
# etcd installer: writes THIS master's etcd static pod manifest and certificates to the host.
#
# A static pod cannot mount Secrets or ConfigMaps, so this script, run by a DaemonSet on the
# masters, copies them to where the kubelet and etcd read them:
#   $SOURCE_DIR/<node>.yaml      -> $MANIFESTS_DIR/etcd.yaml        (mode 0600)
#   $SECRETS_DIR/ca.crt          -> $PKI_DIR/ca.crt                 (mode 0600)
#   $SECRETS_DIR/<node>.server.* -> $PKI_DIR/server.crt, server.key (mode 0600)
#   $SECRETS_DIR/<node>.peer.*   -> $PKI_DIR/peer.crt, peer.key     (mode 0600)
# The manifest in $SOURCE_DIR carries the placeholder "sha256-of-member-files" in its input-hash
# annotation; it is replaced by the SHA-256 of this member's five files (ca.crt, server.crt,
# server.key, peer.crt, peer.key, concatenated), exactly as render --bootstrap computes it. So a
# member's manifest, and with it etcd, changes only with its own certificates, the etcd CA or the
# spec, and the first run on a bootstrapped master writes nothing.
# Every write is atomic (temporary file in the target directory, fsync, rename) and skipped
# when the content is unchanged, so an unchanged manifest never restarts etcd. Certificates are
# written before the manifest that uses them. The manifest being replaced is kept in
# $BACKUP_DIR/etcd.yaml.bak: outside the manifests directory, because the kubelet runs every
# file in it.
#
#
# One member at a time (GATE=lease): a change restarts etcd, and two members restarting at once
# (a new etcd CA reaches every master's Secret volume within the same minute) cost the quorum.
# So before writing anything, the installer takes the Lease $LEASE_NAME in $NAMESPACE with kubectl
# (optimistic concurrency on its resourceVersion; a holder that has not renewed it for
# $LEASE_SECONDS is presumed gone), then checks that every OTHER member in $ETCD_ENDPOINTS answers
# /health over TLS (with this member's certificate), writes, waits up to $HEALTH_TIMEOUT seconds
# until its own member is ready again ($LOCAL_HEALTH_URL) and only then releases the Lease. No
# Lease or an unhealthy member: nothing is written, and the next round tries again.
#
# Usage: etcd-installer.sh once|loop     (loop: sync every $INTERVAL seconds)
# Environment: NODE_NAME (required), SOURCE_DIR, SECRETS_DIR, MANIFESTS_DIR, PKI_DIR, BACKUP_DIR,
# INTERVAL; for the gate GATE=lease, ETCD_ENDPOINTS (name=https://address:2379,...), NAMESPACE,
# LEASE_NAME, LEASE_SECONDS, HEALTH_TIMEOUT, SETTLE_SECONDS, LOCAL_HEALTH_URL, KUBECTL, CURL, SA_DIR and
# KUBERNETES_SERVICE_HOST/PORT (or KUBECONFIG).
set -eu

SOURCE_DIR="${SOURCE_DIR:-/etc/etcd-installer/manifests}"
SECRETS_DIR="${SECRETS_DIR:-/etc/etcd-installer/pki}"
MANIFESTS_DIR="${MANIFESTS_DIR:-/etc/kubernetes/manifests}"
PKI_DIR="${PKI_DIR:-/etc/kubernetes/pki/etcd}"
BACKUP_DIR="${BACKUP_DIR:-/etc/kubernetes/manifests-backup}"
INTERVAL="${INTERVAL:-30}"
GATE="${GATE:-none}"
ETCD_ENDPOINTS="${ETCD_ENDPOINTS:-}"
NAMESPACE="${NAMESPACE:-kube-system}"
LEASE_NAME="${LEASE_NAME:-etcd-installer}"
LEASE_SECONDS="${LEASE_SECONDS:-300}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-300}"
SETTLE_SECONDS="${SETTLE_SECONDS:-40}"
LOCAL_HEALTH_URL="${LOCAL_HEALTH_URL:-http://127.0.0.1:2381/readyz}"
KUBECTL="${KUBECTL:-kubectl}"
CURL="${CURL:-curl}"
SA_DIR="${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}"

log() {
  echo "etcd-installer: $*" >&2
}

# install_file SOURCE TARGET [BACKUP]: atomically replaces TARGET with SOURCE's content unless
# they are equal; the replaced content is first copied (atomically too) to BACKUP when given.
# Errors are returned explicitly: "set -e" does not apply inside "sync_once || ...".
install_file() {
  src="$1"
  target="$2"
  backup="${3:-}"
  if [ -f "$target" ] && cmp -s "$src" "$target"; then
    return 0
  fi
  if [ -n "$backup" ] && [ -f "$target" ]; then
    write_atomic "$target" "$backup" || return 1
  fi
  write_atomic "$src" "$target" || return 1
  log "wrote $target"
}

# write_atomic SOURCE TARGET: a temporary file next to TARGET, fsync, rename over TARGET.
write_atomic() {
  dir=$(dirname "$2")
  tmp="$dir/.$(basename "$2").tmp.$$"
  if ! (umask 077 && cat "$1" > "$tmp" && chmod 0600 "$tmp"); then
    rm -f "$tmp"
    return 1
  fi
  sync "$tmp" 2>/dev/null || sync
  mv -f "$tmp" "$2" || { rm -f "$tmp"; return 1; }
  # Persist the rename itself.
  sync "$dir" 2>/dev/null || sync
}

require() {
  if [ ! -f "$1" ]; then
    log "missing $1; nothing written"
    return 1
  fi
}

# --- the one-member-at-a-time gate ---------------------------------------------------------

# kube ARGS...: kubectl with the ServiceAccount (a kubeconfig naming its token and CA files, and
# the API at $KUBERNETES_SERVICE_HOST, the VIP), or $KUBECONFIG when set.
kube() {
  if [ -z "${KUBECONFIG:-}" ]; then
    kc="$BACKUP_DIR/.kubeconfig"
    host="$KUBERNETES_SERVICE_HOST"
    case "$host" in *:*) host="[$host]" ;; esac
    (umask 077 && cat > "$kc" <<KUBECONFIG_END
apiVersion: v1
kind: Config
clusters:
- name: cluster
  cluster: {server: "https://$host:$KUBERNETES_SERVICE_PORT", certificate-authority: "$SA_DIR/ca.crt"}
users:
- name: etcd-installer
  user: {tokenFile: "$SA_DIR/token"}
contexts:
- name: etcd-installer
  context: {cluster: cluster, user: etcd-installer, namespace: "$NAMESPACE"}
current-context: etcd-installer
KUBECONFIG_END
    ) || return 1
    "$KUBECTL" --kubeconfig "$kc" --request-timeout=10s "$@"
  else
    "$KUBECTL" --kubeconfig "$KUBECONFIG" --request-timeout=10s "$@"
  fi
}

now_rfc3339() {
  date -u +%Y-%m-%dT%H:%M:%S.000000Z
}

# Takes the Lease for this node: creates it, or replaces it (with the resourceVersion read, so
# of two installers only one succeeds) when it is free, this node's, or expired.
acquire_lock() {
  now=$(now_rfc3339)
  if printf '{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"%s","namespace":"%s"},"spec":{"holderIdentity":"%s","leaseDurationSeconds":%s,"acquireTime":"%s","renewTime":"%s"}}' \
      "$LEASE_NAME" "$NAMESPACE" "$NODE_NAME" "$LEASE_SECONDS" "$now" "$now" \
      | kube create --validate=false -f - > /dev/null 2>&1; then
    return 0
  fi
  current=$(kube get lease "$LEASE_NAME" -n "$NAMESPACE" -o json) || { log "cannot read Lease $LEASE_NAME"; return 1; }
  holder=$(printf '%s' "$current" | jq -r '.spec.holderIdentity // ""')
  free=$(printf '%s' "$current" | jq -r --arg me "$NODE_NAME" --argjson now "$(date -u +%s)" '
    def t: sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601;
    (.spec.holderIdentity // "") as $h
    | if $h == "" or $h == $me then "yes"
      elif (.spec.renewTime // "") == "" then "yes"
      elif ((.spec.renewTime | t) + (.spec.leaseDurationSeconds // 0)) < $now then "yes"
      else "no" end')
  if [ "$free" != yes ]; then
    log "Lease $LEASE_NAME is held by $holder; another member is being changed; nothing written"
    return 1
  fi
  printf '%s' "$current" | jq --arg me "$NODE_NAME" --arg now "$now" --argjson d "$LEASE_SECONDS" '
      .spec.holderIdentity = $me | .spec.acquireTime = $now | .spec.renewTime = $now
      | .spec.leaseDurationSeconds = $d' \
    | kube replace --validate=false -f - > /dev/null 2>&1 \
    || { log "lost the race for Lease $LEASE_NAME; nothing written"; return 1; }
}

# Gives the Lease up if this node holds it (holder cleared, by resourceVersion).
release_lock() {
  current=$(kube get lease "$LEASE_NAME" -n "$NAMESPACE" -o json) || return 1
  [ "$(printf '%s' "$current" | jq -r '.spec.holderIdentity // ""')" = "$NODE_NAME" ] || return 0
  printf '%s' "$current" | jq '.spec.holderIdentity = ""' | kube replace --validate=false -f - > /dev/null 2>&1 \
    || { log "cannot release Lease $LEASE_NAME; it expires in ${LEASE_SECONDS}s"; return 1; }
}

# True when every member but this one answers /health with {"health":"true"}, over TLS with
# this member's certificate (serverAuth and clientAuth) and the etcd CA.
others_healthy() {
  for endpoint in $(printf '%s' "$ETCD_ENDPOINTS" | tr ',' ' '); do
    name="${endpoint%%=*}"
    url="${endpoint#*=}"
    [ "$name" != "$NODE_NAME" ] || continue
    if ! "$CURL" -sf --max-time 5 --cacert "$SECRETS_DIR/ca.crt" --cert "$SECRETS_DIR/$NODE_NAME.server.crt" \
        --key "$SECRETS_DIR/$NODE_NAME.server.key" "$url/health" 2>/dev/null | grep -q '"health":"true"'; then
      log "member $name ($url) is not healthy; this member is not changed now"
      return 1
    fi
  done
}

# Waits until this member is ready again, up to $HEALTH_TIMEOUT seconds, after $SETTLE_SECONDS
# (longer than the kubelet takes to notice a new manifest, 20 s, so the old process answering
# before it is stopped does not count).
wait_own_healthy() {
  sleep "$SETTLE_SECONDS"
  waited=0
  while ! "$CURL" -sf --max-time 5 "$LOCAL_HEALTH_URL" > /dev/null 2>&1; do
    if [ "$waited" -ge "$HEALTH_TIMEOUT" ]; then
      log "this member is not ready after ${HEALTH_TIMEOUT}s"
      return 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
  log "this member is ready"
}

# True when a target differs from what would be written.
differs() {
  ! { [ -f "$2" ] && cmp -s "$1" "$2"; }
}

sync_once() {
  : "${NODE_NAME:?NODE_NAME must name this node}"
  manifest="$SOURCE_DIR/$NODE_NAME.yaml"
  # Check every input before writing anything, so a half-populated Secret writes nothing.
  require "$manifest" || return 1
  require "$SECRETS_DIR/ca.crt" || return 1
  for f in server.crt server.key peer.crt peer.key; do
    require "$SECRETS_DIR/$NODE_NAME.$f" || return 1
  done
  mkdir -p "$PKI_DIR" "$MANIFESTS_DIR" "$BACKUP_DIR" || return 1
  chmod 0700 "$PKI_DIR" "$BACKUP_DIR" || return 1
  rendered="$BACKUP_DIR/.etcd.yaml.rendered"
  hash=$(cat "$SECRETS_DIR/ca.crt" "$SECRETS_DIR/$NODE_NAME.server.crt" "$SECRETS_DIR/$NODE_NAME.server.key" \
      "$SECRETS_DIR/$NODE_NAME.peer.crt" "$SECRETS_DIR/$NODE_NAME.peer.key" | sha256sum | cut -d' ' -f1) || return 1
  [ ${#hash} -eq 64 ] || { log "cannot hash this member's files"; return 1; }
  (umask 077 && sed "s/sha256-of-member-files/$hash/" "$manifest" > "$rendered") || return 1
  changed=no
  differs "$SECRETS_DIR/ca.crt" "$PKI_DIR/ca.crt" && changed=yes
  for f in server.crt server.key peer.crt peer.key; do
    differs "$SECRETS_DIR/$NODE_NAME.$f" "$PKI_DIR/$f" && changed=yes
  done
  differs "$rendered" "$MANIFESTS_DIR/etcd.yaml" && changed=yes
  if [ "$changed" = no ]; then
    rm -f "$rendered"
    return 0
  fi
  if [ "$GATE" = lease ]; then
    acquire_lock || { rm -f "$rendered"; return 1; }
    if ! others_healthy; then
      release_lock || true
      rm -f "$rendered"
      return 1
    fi
  fi
  result=0
  install_file "$SECRETS_DIR/ca.crt" "$PKI_DIR/ca.crt" || result=1
  for f in server.crt server.key peer.crt peer.key; do
    [ "$result" = 0 ] && { install_file "$SECRETS_DIR/$NODE_NAME.$f" "$PKI_DIR/$f" || result=1; }
  done
  [ "$result" = 0 ] && { install_file "$rendered" "$MANIFESTS_DIR/etcd.yaml" "$BACKUP_DIR/etcd.yaml.bak" || result=1; }
  rm -f "$rendered"
  if [ "$GATE" = lease ]; then
    # The next member may change only once this one is back, so its restart cannot overlap.
    wait_own_healthy || true
    release_lock || true
  fi
  return "$result"
}

case "${1:-loop}" in
  once)
    sync_once
    ;;
  loop)
    while true; do
      sync_once || log "sync failed; retrying in ${INTERVAL}s"
      sleep "$INTERVAL"
    done
    ;;
  *)
    echo "usage: $0 once|loop" >&2
    exit 2
    ;;
esac
