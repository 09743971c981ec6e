#!/usr/bin/env bash
# Builds the binaries of the simulated home cluster into $HOMECLUSTER_SIM_DIR/bin
# (default: <repo>/.sim/bin), each group only when it is missing or stale:
#
#   kube   kube-apiserver, kube-controller-manager, kube-scheduler (k8s.io/kubernetes, this module)
#   etcd   etcd (go.etcd.io/etcd/server/v3/etcdmain, its own module in etcd/)
#   kwok   kwok and kwokctl (sigs.k8s.io/kwok, `go install` outside both modules)
#          plus kwok-stages.yaml, kwok's own default stages at the same version
#   simctl the launcher (cmd/simctl, this module)
#   kubelet the kubelet (k8s.io/kubernetes, this module) and pause (cmd/pause), only
#          for the real nodes (docs/testing.md, "Real nodes"); skipped unless
#          SIM_BUILD_KUBELET=1 or the first argument is `kubelet`, so the fake-node
#          suite never waits for it
#
# Every binary is static (CGO_ENABLED=0): the real nodes' images take the very same
# etcd, kube-apiserver, kube-controller-manager and kube-scheduler, and run them in
# an image with no libc. One build serves the host and the images, so the Go cache
# compiles each package once.
#
# A group is stale when the hash of its inputs (versions.env, go.mod/go.sum, its
# sources, this script, the Go version) differs from the one stamped in
# bin/.stamp-<group>. Uses the default GOCACHE and GOMODCACHE so that a second
# build, or a build in another clone, reuses compiled packages. Safe to call from
# several processes at once: the whole build runs under an flock on
# $HOMECLUSTER_SIM_DIR/build.lock, and a caller that waited finds everything fresh.
#
# Environment:
#   HOMECLUSTER_SIM_DIR   where bin/ goes (default <repo>/.sim)
#   SIM_BUILD_PARALLEL    packages compiled at once, go build -p (default 2)
#   GO                    the go command (default: go on PATH, else /usr/local/go/bin/go)
#   SIM_BUILD_KUBELET     1 to build the kubelet group too (same as `build.sh kubelet`)
set -euo pipefail

want_kubelet="${SIM_BUILD_KUBELET:-0}"
[[ "${1:-}" == kubelet ]] && want_kubelet=1
export CGO_ENABLED=0

src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$src/../.." && pwd)"
sim_dir="${HOMECLUSTER_SIM_DIR:-$repo/.sim}"
bin="$sim_dir/bin"
parallel="${SIM_BUILD_PARALLEL:-2}"

go_cmd="${GO:-}"
if [[ -n "$go_cmd" && ! -x "$go_cmd" ]]; then
  echo "sim build: GO=$go_cmd is not an executable Go toolchain; install Go 1.24 or newer or fix GO" >&2
  exit 3
fi
if [[ -z "$go_cmd" ]]; then
  if command -v go >/dev/null 2>&1; then go_cmd="$(command -v go)";
  elif [[ -x /usr/local/go/bin/go ]]; then go_cmd=/usr/local/go/bin/go;
  else
    echo "sim build: the Go toolchain (go 1.24 or newer) is not installed or not on PATH; install it (e.g. into /usr/local/go) or set GO=/path/to/go" >&2
    exit 3
  fi
fi
export PATH="$(dirname "$go_cmd"):$PATH"

# shellcheck source=versions.env
source "$src/versions.env"
kube_minor="${KUBE_VERSION#v1.}"; kube_minor="${kube_minor%%.*}"

mkdir -p "$bin"
exec 9>"$sim_dir/build.lock"
if ! flock -n 9; then
  echo "sim build: another build holds $sim_dir/build.lock, waiting for it" >&2
  flock 9
fi

go_version="$("$go_cmd" env GOVERSION)"

hash_of() { # files... -> one sha256 over names and contents, plus build.sh and the Go version
  {
    echo "$go_version"
    for f in "$src/build.sh" "$src/versions.env" "$@"; do
      echo "== ${f#"$src"/}"
      cat "$f"
    done
  } | sha256sum | cut -c1-64
}

fresh() { # group hash binaries... -> 0 when every binary exists and the stamp matches
  local group="$1" want="$2"; shift 2
  [[ -f "$bin/.stamp-$group" && "$(cat "$bin/.stamp-$group")" == "$want" ]] || return 1
  local b
  for b in "$@"; do [[ -x "$bin/$b" ]] || return 1; done
}

stamp() { echo "$2" > "$bin/.stamp-$1"; }

built=()
step() { # group seconds
  built+=("$1 (${2}s)")
}

ldflags_kube="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$kube_minor -X k8s.io/component-base/version.gitTreeState=clean"
build_flags=(-p "$parallel" -trimpath -buildvcs=false)

# Builds into a temporary folder beside bin/ and moves the results in, so that a
# running cluster or an interrupted build never sees a half-written binary.
tmp="$(mktemp -d "$sim_dir/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# --- kube ---------------------------------------------------------------------
mapfile -t kube_src < <(find "$src/cmd/kube-apiserver" "$src/cmd/kube-controller-manager" "$src/cmd/kube-scheduler" -name '*.go' | sort)
kube_hash="$(hash_of "$src/go.mod" "$src/go.sum" "${kube_src[@]}")"
if ! fresh kube "$kube_hash" kube-apiserver kube-controller-manager kube-scheduler; then
  echo "sim build: building kube-apiserver, kube-controller-manager, kube-scheduler $KUBE_VERSION (a cold build takes long; later ones are cached)" >&2
  t0=$SECONDS
  (cd "$src" && "$go_cmd" build "${build_flags[@]}" -ldflags="$ldflags_kube" -o "$tmp/" \
    ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler)
  mv -f "$tmp/kube-apiserver" "$tmp/kube-controller-manager" "$tmp/kube-scheduler" "$bin/"
  stamp kube "$kube_hash"
  step kube $((SECONDS - t0))
fi

# --- etcd ---------------------------------------------------------------------
etcd_hash="$(hash_of "$src/etcd/go.mod" "$src/etcd/go.sum" "$src/etcd/main.go")"
if ! fresh etcd "$etcd_hash" etcd; then
  echo "sim build: building etcd $ETCD_VERSION" >&2
  t0=$SECONDS
  (cd "$src/etcd" && "$go_cmd" build "${build_flags[@]}" \
    -ldflags="-s -w" -o "$tmp/etcd" .)
  mv -f "$tmp/etcd" "$bin/"
  stamp etcd "$etcd_hash"
  step etcd $((SECONDS - t0))
fi

# --- kubelet (real nodes only) ----------------------------------------------
if [[ "$want_kubelet" == 1 ]]; then
  mapfile -t kubelet_src < <(find "$src/cmd/kubelet" "$src/cmd/pause" -name '*.go' | sort)
  kubelet_hash="$(hash_of "$src/go.mod" "$src/go.sum" "${kubelet_src[@]}")"
  if ! fresh kubelet "$kubelet_hash" kubelet pause; then
    echo "sim build: building kubelet $KUBE_VERSION and pause (a cold kubelet build takes minutes)" >&2
    t0=$SECONDS
    (cd "$src" && "$go_cmd" build "${build_flags[@]}" -ldflags="$ldflags_kube" -o "$tmp/" ./cmd/kubelet ./cmd/pause)
    mv -f "$tmp/kubelet" "$tmp/pause" "$bin/"
    stamp kubelet "$kubelet_hash"
    step kubelet $((SECONDS - t0))
  fi
fi

# --- kwok ---------------------------------------------------------------------
kwok_hash="$(hash_of)"
if ! fresh kwok "$kwok_hash" kwok kwokctl || [[ ! -f "$bin/kwok-stages.yaml" ]]; then
  echo "sim build: building kwok and kwokctl $KWOK_VERSION" >&2
  t0=$SECONDS
  # Outside any module (cd to the temp folder) so that kwok keeps its own dependency graph.
  (cd "$tmp" && GOBIN="$tmp" GOFLAGS= GO111MODULE=on "$go_cmd" install "${build_flags[@]}" -ldflags="-s -w" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION")
  # kwok v0.8.0 refuses to start without stages; kwokctl embeds these same files
  # (node-initialize, node-heartbeat-with-lease, pod-ready, pod-complete, pod-delete).
  kwok_dir="$(cd "$tmp" && "$go_cmd" mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  stages="$kwok_dir/kustomize/stage"
  {
    echo "# kwok's default stages at $KWOK_VERSION, the set kwokctl uses, copied by src/sim/build.sh from"
    echo "# sigs.k8s.io/kwok/kustomize/stage/{node/fast,node/heartbeat-with-lease,pod/fast}"
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
             pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      [[ -f "$stages/$f" ]] || { echo "sim build: kwok stage $f missing in $stages" >&2; exit 1; }
      echo "---"
      cat "$stages/$f"
    done
  } > "$tmp/kwok-stages.yaml"
  mv -f "$tmp/kwok" "$tmp/kwokctl" "$tmp/kwok-stages.yaml" "$bin/"
  stamp kwok "$kwok_hash"
  step kwok $((SECONDS - t0))
fi

# --- simctl -------------------------------------------------------------------
mapfile -t simctl_src < <(find "$src/cmd/simctl" -name '*.go' | sort)
simctl_hash="$(hash_of "$src/go.mod" "$src/go.sum" "${simctl_src[@]}")"
if ! fresh simctl "$simctl_hash" simctl; then
  echo "sim build: building simctl" >&2
  t0=$SECONDS
  (cd "$src" && "$go_cmd" build "${build_flags[@]}" -ldflags="-s -w" -o "$tmp/simctl" ./cmd/simctl)
  mv -f "$tmp/simctl" "$bin/"
  stamp simctl "$simctl_hash"
  step simctl $((SECONDS - t0))
fi

if ((${#built[@]})); then
  echo "sim build: built ${built[*]} into $bin" >&2
else
  echo "sim build: up to date in $bin" >&2
fi
