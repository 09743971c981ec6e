#!/bin/sh
# Starts keepalived on a master for the API endpoint (the apiserver-endpoint DaemonSet).
#
# keepalived.conf comes verbatim from the ConfigMap and is the same on every master: lines that
# differ per node start with @<node name> and keepalived keeps only those matching --config-id.
# The VRRP password is not in the ConfigMap. keepalived cannot read environment variables, so this
# script turns the mounted Secret into a one-line keepalived parameter definition,
#   $VRRP_AUTH_PASS=<password>
# in a memory-backed directory, which keepalived.conf includes (includer: a missing file is an
# error) and uses as ${VRRP_AUTH_PASS}.
#
# Environment (defaults are the paths in the pod):
#   NODE_NAME       the node's name (downward API spec.nodeName); required
#   CONFIG          keepalived.conf                     (/etc/keepalived/keepalived.conf)
#   AUTH_PASS_FILE  the Secret's auth-pass key          (/run/secrets/vrrp-auth/auth-pass)
#   RUN_DIR         where the password file and pid files go; must match the include
#                   line in keepalived.conf             (/run/keepalived)
#   KEEPALIVED      the keepalived binary               (keepalived)
# Extra arguments are passed to keepalived (tests pass --config-test).
set -eu

CONFIG=${CONFIG:-/etc/keepalived/keepalived.conf}
AUTH_PASS_FILE=${AUTH_PASS_FILE:-/run/secrets/vrrp-auth/auth-pass}
RUN_DIR=${RUN_DIR:-/run/keepalived}
KEEPALIVED=${KEEPALIVED:-keepalived}

fail() {
  echo "keepalived-start: $*" >&2
  exit 1
}

[ -n "${NODE_NAME:-}" ] || fail "NODE_NAME is not set; the pod must pass spec.nodeName"
[ -r "$AUTH_PASS_FILE" ] || fail "cannot read the VRRP password $AUTH_PASS_FILE (Secret homecluster-vrrp-auth, key auth-pass)"
[ -r "$CONFIG" ] || fail "cannot read $CONFIG"

pass=$(cat "$AUTH_PASS_FILE")
# keepalived uses only the first 8 characters, and '#', '!', '$', quotes or spaces would change
# how the parameter line is parsed: accept 1 to 8 letters and digits, as the operator generates.
case "$pass" in
  '' | *[!A-Za-z0-9]*) fail "the VRRP password in $AUTH_PASS_FILE must be 1 to 8 letters or digits" ;;
esac
[ "${#pass}" -le 8 ] || fail "the VRRP password in $AUTH_PASS_FILE is longer than 8 characters (keepalived's limit)"

mkdir -p "$RUN_DIR"
umask 077
printf '$VRRP_AUTH_PASS=%s\n' "$pass" > "$RUN_DIR/vrrp-auth.conf.tmp"
mv -f "$RUN_DIR/vrrp-auth.conf.tmp" "$RUN_DIR/vrrp-auth.conf"

exec "$KEEPALIVED" \
  --dont-fork \
  --log-console \
  --vrrp \
  --config-id "$NODE_NAME" \
  --use-file "$CONFIG" \
  --pid "$RUN_DIR/keepalived.pid" \
  --vrrp_pid "$RUN_DIR/vrrp.pid" \
  "$@"
