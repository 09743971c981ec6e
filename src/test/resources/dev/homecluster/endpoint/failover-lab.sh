#!/bin/bash
# Failover lab for the API endpoint. Runs the rendered keepalived.conf and haproxy.cfg with the
# real keepalived and haproxy: one network namespace per master, each plugged by a veth "cable"
# into a bridge that plays the home LAN, and openssl s_server standing in for each apiserver.
# Then it breaks the master holding the virtual IP in three ways and measures, from a client on
# the LAN, how long the virtual IP takes to move and the API to answer again.
#
# Usage, as root inside a private network and mount namespace (the test runs it under
#   unshare --net --mount --propagation private):
#   failover-lab.sh DIR VIP PORT IFACE CLIENT_ADDRESS/PREFIX NODE=ADDRESS...
# DIR holds keepalived.conf, haproxy.cfg, keepalived-start.sh, auth-pass, tls.crt and tls.key
# (the apiservers' certificate) and ca.crt (its CA, which HAProxy's checks verify; put at
# HAPROXY_CA_FILE, where the pod has the cluster CA, on a tmpfs of this mount namespace).
# Prints "result <name> <value>" lines; logs go to DIR/logs.
set -euo pipefail
: "${KEEPALIVED_CAPS:?set KEEPALIVED_CAPS to the capabilities of the keepalived container, as +net_admin,+net_raw}"
: "${HAPROXY_CA_FILE:?set HAPROXY_CA_FILE to the ca-file path in haproxy.cfg}"

dir=$1 vip=$2 port=$3 iface=$4 client=$5
shift 5
names=() addrs=()
for node in "$@"; do
  names+=("${node%%=*}")
  addrs+=("${node#*=}")
done
prefix=${client#*/}
mkdir -p "$dir/logs"
chmod 755 "$dir"
chmod 644 "$dir/haproxy.cfg"
ca_parent=$(dirname "$(dirname "$HAPROXY_CA_FILE")")
mkdir -p "$ca_parent"
mount -t tmpfs -o mode=755 tmpfs "$ca_parent"
mkdir -p "$(dirname "$HAPROXY_CA_FILE")"
install -m 644 "$dir/ca.crt" "$HAPROXY_CA_FILE"

declare -A haproxy_pid keepalived_pid
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# The master whose interface carries the virtual IP (empty when none, several when split).
holders() {
  local i
  for i in "${!names[@]}"; do
    # No "| grep -q": with pipefail, grep quitting early can fail the pipeline.
    if [[ "$(ip -n "${names[$i]}" -o addr show dev "$iface" 2>/dev/null)" == *" $vip/"* ]]; then
      echo "${names[$i]}"
    fi
  done
}

api_answers() {
  curl --insecure --silent --max-time 0.3 --output /dev/null "https://$vip:$port/readyz"
}

# As in the pod: HAProxy as user 99 without any capability, keepalived as root with only the
# capabilities in KEEPALIVED_CAPS (the DaemonSet's, e.g. +net_admin,+net_raw); neither may gain
# privileges.
start_haproxy() {
  ip netns exec "$1" setpriv --reuid=99 --regid=99 --clear-groups --bounding-set=-all --inh-caps=-all \
    --no-new-privs haproxy -db -f "$dir/haproxy.cfg" >>"$dir/logs/$1-haproxy.log" 2>&1 &
  haproxy_pid[$1]=$!
}

start_keepalived() {
  # keepalived.conf includes /run/keepalived/vrrp-auth.conf: give each master its own /run/keepalived.
  ip netns exec "$1" env NODE_NAME="$1" CONFIG="$dir/keepalived.conf" AUTH_PASS_FILE="$dir/auth-pass" \
    sh -c 'mount -t tmpfs tmpfs /run/keepalived && exec setpriv --inh-caps=-all --no-new-privs \
      --bounding-set=-all,$1 sh "$0"' "$dir/keepalived-start.sh" "$KEEPALIVED_CAPS" \
    >>"$dir/logs/$1-keepalived.log" 2>&1 &
  keepalived_pid[$1]=$!
}

wait_for() { # seconds, command...
  local deadline
  deadline=$(awk -v t="$(now)" -v d="$1" 'BEGIN { printf "%.3f", t + d }')
  shift
  until "$@"; do
    if awk -v t="$(now)" -v d="$deadline" 'BEGIN { exit !(t > d) }'; then
      return 1
    fi
    sleep 0.02
  done
}

moved_from() { local h; h=$(holders); [ -n "$h" ] && [ "$h" != "$1" ] && [[ "$h" != *$'\n'* ]]; }

# Measures from now until another master holds the VIP and until the API answers through it.
measure() { # name, old holder
  local start moved answered
  start=$(now)
  wait_for 15 moved_from "$2" || { echo "result $1-vip-moved never"; return; }
  moved=$(now)
  wait_for 15 api_answers || { echo "result $1-api-back never"; return; }
  answered=$(now)
  echo "result $1-vip-moved $(elapsed "$start" "$moved")"
  echo "result $1-api-back $(elapsed "$start" "$answered")"
  echo "result $1-new-holder $(holders)"
}

mount -t tmpfs tmpfs /run
mkdir -p /run/netns /run/keepalived
ip link set lo up
ip link add lan type bridge
ip link set lan up
ip addr add "$client" dev lan

for i in "${!names[@]}"; do
  name=${names[$i]} addr=${addrs[$i]}
  ip netns add "$name"
  ip link add "$iface" netns "$name" type veth peer name "cable$i"
  ip link set "cable$i" master lan up
  ip -n "$name" link set lo up
  ip -n "$name" addr add "$addr/$prefix" dev "$iface"
  ip -n "$name" link set "$iface" up
  ip netns exec "$name" openssl s_server -quiet -www -accept "$addr:6443" \
    -cert "$dir/tls.crt" -key "$dir/tls.key" >>"$dir/logs/$name-apiserver.log" 2>&1 &
  start_haproxy "$name"
  start_keepalived "$name"
done

start=$(now)
wait_for 20 api_answers || { echo "result initial never"; holders; exit 1; }
echo "result initial-election $(elapsed "$start" "$(now)")"
echo "result initial-holder $(holders)"

# 1. HAProxy on the holder dies: keepalived's check fails twice, the holder leaves with a
#    priority 0 advert, and the next master takes over after its skew time.
old=$(holders)
kill "${haproxy_pid[$old]}"
measure haproxy-dies "$old"
start_haproxy "$old"
# nopreempt: the recovered master must not take the address back.
sleep 5
echo "result haproxy-dies-stays-after-recovery $(holders)"

# 2. keepalived on the holder stops (pod deleted, node drained): it leaves with a priority 0 advert.
old=$(holders)
kill -TERM "${keepalived_pid[$old]}"
measure keepalived-stops "$old"
start_keepalived "$old"
sleep 5
echo "result keepalived-stops-stays-after-recovery $(holders)"

# 3. The holder dies (power, kernel, cable): its adverts just stop, so the others wait the
#    VRRP master down interval, 3 adverts plus the skew time.
old=$(holders)
for i in "${!names[@]}"; do
  [ "${names[$i]}" = "$old" ] && ip link set "cable$i" down
done
measure master-dies "$old"
for i in "${!names[@]}"; do
  [ "${names[$i]}" = "$old" ] && ip link set "cable$i" up
done
sleep 5
echo "result master-dies-holders-after-rejoin $(holders | tr '\n' ' ')"
