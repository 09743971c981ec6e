#!/usr/bin/env bash
# Builds the container images of the real nodes (docs/testing.md, "Real nodes") without a
# registry or Docker: a rootfs from the static binaries that build.sh put into bin/, packed
# with umoci into an OCI layout and written by skopeo as a docker-archive tarball that keeps
# the reference, so `ctr images import` stores it under exactly the name the rendered pods use.
#
#   images.sh OUT_DIR BIN_DIR KIND=REFERENCE...
#
# KIND is one of
#   pause                     /pause (src/sim/cmd/pause), the entrypoint; containerd's sandbox_image
#   etcd                      /usr/local/bin/etcd, as in registry.k8s.io/etcd
#   kube-apiserver, kube-controller-manager, kube-scheduler
#                             /usr/local/bin/<kind>, as in registry.k8s.io/<kind>
# Each image becomes OUT_DIR/<kind>.tar and is rebuilt only when the hash of its inputs (this
# script, the binary, the reference) differs from OUT_DIR/<kind>.stamp. Prints one line per
# image: "<kind> <tar> <reference> built|cached". Runs under an flock on OUT_DIR/.lock.
set -euo pipefail

out="$1"; bin="$2"; shift 2
self="${BASH_SOURCE[0]}"
mkdir -p "$out"
exec 8>"$out/.lock"
flock 8

for tool in umoci skopeo; do
  command -v "$tool" >/dev/null || { echo "images: $tool is not installed (apt-get install umoci skopeo)" >&2; exit 3; }
done

for spec in "$@"; do
  kind="${spec%%=*}"; ref="${spec#*=}"
  case "$kind" in
    pause) binary="$bin/pause"; dest=/pause; entry=/pause ;;
    etcd|kube-apiserver|kube-controller-manager|kube-scheduler)
      binary="$bin/$kind"; dest="/usr/local/bin/$kind"; entry="/usr/local/bin/$kind" ;;
    *) echo "images: unknown kind $kind" >&2; exit 2 ;;
  esac
  [[ -x "$binary" ]] || { echo "images: $binary is missing; run src/sim/build.sh kubelet" >&2; exit 3; }
  # A static binary is what a scratch image can run; a dynamic one fails with a misleading
  # "exec ...: no such file or directory" inside the container.
  if ldd "$binary" >/dev/null 2>&1; then
    echo "images: $binary is dynamically linked; build.sh builds with CGO_ENABLED=0" >&2; exit 3
  fi
  want="$( { sha256sum "$self" "$binary" | cut -c1-64; echo "$ref"; } | sha256sum | cut -c1-64)"
  tar="$out/$kind.tar"
  if [[ -f "$tar" && -f "$out/$kind.stamp" && "$(cat "$out/$kind.stamp")" == "$want" ]]; then
    echo "$kind $tar $ref cached"
    continue
  fi
  work="$(mktemp -d "$out/.work-$kind.XXXXXX")"
  layout="$work/layout"; bundle="$work/bundle"
  umoci init --layout "$layout"
  umoci new --image "$layout:img"
  umoci unpack --rootless --image "$layout:img" "$bundle" >/dev/null
  rootfs="$bundle/rootfs"
  mkdir -p "$rootfs$(dirname "$dest")" "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  cp "$binary" "$rootfs$dest"
  echo 'root:x:0:0:root:/root:/sbin/nologin' > "$rootfs/etc/passwd"
  echo 'root:x:0:' > "$rootfs/etc/group"
  umoci repack --image "$layout:img" "$bundle"
  umoci config --image "$layout:img" --os linux --architecture amd64 \
    --config.entrypoint "$entry" --config.env PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  rm -f "$tar.tmp"
  skopeo copy --quiet "oci:$layout:img" "docker-archive:$tar.tmp:$ref"
  mv -f "$tar.tmp" "$tar"
  echo "$want" > "$out/$kind.stamp"
  rm -rf "$work"
  echo "$kind $tar $ref built"
done
