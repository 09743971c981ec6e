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
# Usage: etcd-installer.sh once|loop     (loop: sync every $INTERVAL seconds)
# Environment: NODE_NAME (required), SOURCE_DIR, SECRETS_DIR, MANIFESTS_DIR, PKI_DIR, BACKUP_DIR,
# INTERVAL.
set -eu

SOURCE_DIR="${SOURCE_DIR:-/etc/etcd-installer/manifests}"
SECRETS_DIR="${SECRETS_DIR:-/etc/etcd-installer/pki}"
MANIFESTS_DIR="${MANIFESTS_DIR:-/etc/kubernetes/manifests}"
PKI_DIR="${PKI_DIR:-/etc/kubernetes/pki/etcd}"
BACKUP_DIR="${BACKUP_DIR:-/etc/kubernetes/manifests-backup}"
INTERVAL="${INTERVAL:-30}"

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
  install_file "$SECRETS_DIR/ca.crt" "$PKI_DIR/ca.crt" || return 1
  for f in server.crt server.key peer.crt peer.key; do
    install_file "$SECRETS_DIR/$NODE_NAME.$f" "$PKI_DIR/$f" || return 1
  done
  rendered="$BACKUP_DIR/.etcd.yaml.rendered"
  hash=$(cat "$SECRETS_DIR/ca.crt" "$SECRETS_DIR/$NODE_NAME.server.crt" "$SECRETS_DIR/$NODE_NAME.server.key" \
      "$SECRETS_DIR/$NODE_NAME.peer.crt" "$SECRETS_DIR/$NODE_NAME.peer.key" | sha256sum | cut -d' ' -f1) || return 1
  [ ${#hash} -eq 64 ] || { log "cannot hash this member's files"; return 1; }
  (umask 077 && sed "s/sha256-of-member-files/$hash/" "$manifest" > "$rendered") || return 1
  install_file "$rendered" "$MANIFESTS_DIR/etcd.yaml" "$BACKUP_DIR/etcd.yaml.bak" || return 1
  rm -f "$rendered"
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
