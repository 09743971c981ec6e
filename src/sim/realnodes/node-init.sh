#!/usr/bin/env bash
# PID 1 of one real node of the simulated cluster (docs/testing.md, "Real nodes"): what a
# machine's init does at power-on, in a fresh PID and mount namespace inside the node's own
# network namespace. RealNodes (src/test/java/dev/homecluster/sim) starts it as
#
#   ip netns exec hcrn-<node> unshare -m -p -u -f --kill-child --mount-proc --propagation private \
#     node-init.sh
#
# and cuts the power by SIGKILL to this process: the kernel then kills every process of the
# PID namespace (containerd, its shims, the containers, the kubelet) and the mount namespace
# with its /run goes with them, as on a real machine. Nothing here runs on the host itself.
#
# Environment (set by RealNodes):
#   NODE_NAME, NODE_IP   the machine's name and address in the HomeCluster spec
#   NODE_DIR             host folder of this node: etc-kubernetes/, var-lib/, var-log/ (its disk)
#                        and machine/ (cgroup-mounts, containerd.toml, kubelet.conf.d/)
#   SIM_BIN              the folder with the kubelet built by src/sim/build.sh kubelet
#   NODE_IMAGES          image tarballs (images.sh) imported into containerd when they change
set -uo pipefail

t0=$(date +%s%N)
log() { printf 'node-init %s: %6dms %s\n' "$NODE_NAME" $(( ($(date +%s%N) - t0) / 1000000 )) "$*"; }
die() { log "FATAL: $*"; exit 1; }

# 0. The machine's own hostname (a UTS namespace of its own): the kubelet, and leader election
#    in the control-plane pods (holder "<hostname>_<uuid>"), name themselves by it.
hostname "$NODE_NAME" || die "hostname"

# 1. cgroups. `ip netns exec` mounted a fresh sysfs on /sys, which hides /sys/fs/cgroup;
#    without it runc fails with "no cgroup mount found in mountinfo". Mount the host's
#    hierarchies again, exactly as the host has them (RealNodes wrote them down).
mount -t tmpfs -o mode=755 cgroup_root /sys/fs/cgroup || die "tmpfs on /sys/fs/cgroup"
while read -r fstype path opts; do
  mkdir -p "$path" && mount -t "$fstype" -o "$opts" cgroup "$path" || die "mount $fstype $path"
done < "$NODE_DIR/machine/cgroup-mounts"

# 2. The node's disk and a volatile /run: what survives a power cut is exactly what is in
#    etc-kubernetes/, var-lib/ and var-log/.
mount --bind "$NODE_DIR/etc-kubernetes" /etc/kubernetes || die "bind /etc/kubernetes"
mount --bind "$NODE_DIR/var-lib" /var/lib || die "bind /var/lib"
mount --bind "$NODE_DIR/var-log" /var/log || die "bind /var/log"
mount -t tmpfs -o mode=755 tmpfs /run || die "tmpfs /run"
mkdir -p /run/containerd /var/lib/containerd /var/lib/kubelet
log "mounted; starting containerd"

# 3. containerd, then the images when they changed (first boot, or images.sh rebuilt one).
containerd --config "$NODE_DIR/machine/containerd.toml" >> /var/log/containerd.log 2>&1 &
for _ in $(seq 1 200); do
  ctr --address /run/containerd/containerd.sock version >/dev/null 2>&1 && break
  sleep 0.05
done
ctr --address /run/containerd/containerd.sock version >/dev/null 2>&1 || die "containerd did not answer in 10 s"
log "containerd up (pid $!)"
wanted="$(for t in $NODE_IMAGES; do sha256sum "$t"; done)"
if [[ "$(cat /var/lib/homecluster-images 2>/dev/null)" != "$wanted" ]]; then
  for t in $NODE_IMAGES; do
    ctr --address /run/containerd/containerd.sock -n k8s.io images import "$t" >/dev/null || die "import $t"
  done
  echo "$wanted" > /var/lib/homecluster-images
  log "imported $(wc -w <<< "$NODE_IMAGES") image(s)"
fi

# 4. The kubelet, with the command line of docs/bootstrap.md step 1; --config-dir adds only
#    what this machine needs (cgroupfs and its own cgroup root, no swap check, ...).
log "starting kubelet"
echo "=== boot $(date -u +%FT%TZ)" >> /var/log/kubelet.log
"$SIM_BIN/kubelet" --config=/etc/kubernetes/kubelet-config.yaml \
  --config-dir="$NODE_DIR/machine/kubelet.conf.d" \
  --kubeconfig=/etc/kubernetes/kubelet.conf \
  --container-runtime-endpoint=unix:///run/containerd/containerd.sock \
  --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" >> /var/log/kubelet.log 2>&1 &
log "kubelet started (pid $!)"

# 5. An init reaps orphans until the power goes.
while :; do wait; sleep 1; done
