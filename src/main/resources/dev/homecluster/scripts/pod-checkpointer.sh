#!/bin/sh
# Pod checkpointer: keeps a static-pod copy of this node's checkpoint-annotated pods (the
# kube-apiserver) in the kubelet's manifests directory, so that after a full power cycle the
# kubelet can start the apiserver before any API exists to tell it to.
#
# The copy is inert while the real pod runs: it declares no ports (so no host port for which the
# kubelet would refuse the real pod) and begins with an init container that waits until none of
# the real pod's ports has been listened on for $GRACE seconds. After a power cycle nothing
# listens, so the copy starts and serves the API; once this node's kubelet has started the real
# pod's container since this boot and after the copy's, the copy is removed and the real pod
# takes over; when the real pod is Ready the copy is written again, inert.
#
# The API: with the pod's ServiceAccount (token and CA files), first at $KUBERNETES_SERVICE_HOST
# (the renderer sets it to the VIP), then at this node's own apiserver, https://$HOST_IP:
# $APISERVER_PORT, which after a power cut is the copy itself and needs neither keepalived,
# HAProxy nor kube-proxy. $KUBECONFIG, when set, is used instead.
#
# Decisions are made on files only, so they can be tested without a cluster:
#   $INPUT_DIR/pods.json                 the API's pods on this node (absent: API unreachable)
#   $INPUT_DIR/secrets/<name>.json       Secrets the checkpointed pods mount
#   $INPUT_DIR/configmaps/<name>.json    ConfigMaps the checkpointed pods mount
#   $PROC_DIR/stat                       this node's boot time (btime)
#   $PROC_NET_DIR/tcp, tcp6              which ports this node listens on
# and write only:
#   $MANIFESTS_DIR/<name>.checkpoint.yaml          the static pod (JSON, which YAML includes)
#   $CHECKPOINT_DIR/<name>/volumes/<volume>/...    its Secret and ConfigMap files (0600)
#   $CHECKPOINT_DIR/pod-checkpointer.sh            this script, for the copy's init container
# <name> is the owner's name (the DaemonSet), so the copy is stable across pod re-creation.
#
# Usage: pod-checkpointer.sh loop | fetch | sync | wait-ports-free GRACE PORT...
# Needs: sh, jq, and kubectl for "fetch".
set -u

NAMESPACE="${NAMESPACE:-kube-system}"
INPUT_DIR="${INPUT_DIR:-/run/pod-checkpointer}"
MANIFESTS_DIR="${MANIFESTS_DIR:-/etc/kubernetes/manifests}"
CHECKPOINT_DIR="${CHECKPOINT_DIR:-/etc/kubernetes/checkpoints}"
CHECKPOINT_ANNOTATION="${CHECKPOINT_ANNOTATION:-checkpointer.homecluster.dev/checkpoint}"
CHECKPOINT_OF="${CHECKPOINT_OF:-checkpointer.homecluster.dev/checkpoint-of}"
IMAGE="${IMAGE:-docker.io/alpine/k8s:1.34.2}"
GRACE="${GRACE:-30}"
INTERVAL="${INTERVAL:-10}"
PROC_NET_DIR="${PROC_NET_DIR:-/proc/net}"
PROC_DIR="${PROC_DIR:-/proc}"
SA_DIR="${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}"
KUBECTL="${KUBECTL:-kubectl}"
SELF="$0"
MIRROR_ANNOTATION="kubernetes.io/config.mirror"
TAB="$(printf '\t')"

log() {
  echo "pod-checkpointer: $*" >&2
}

# write_atomic TARGET < content: temporary file next to TARGET, fsync, rename; nothing is written
# when TARGET already holds the same content. Returns 1 on failure.
write_atomic() {
  wa_target="$1"
  wa_dir=$(dirname "$wa_target")
  mkdir -p "$wa_dir" || return 1
  wa_tmp="$wa_dir/.$(basename "$wa_target").tmp.$$"
  if ! (umask 077 && cat > "$wa_tmp" && chmod 0600 "$wa_tmp"); then
    rm -f "$wa_tmp"
    return 1
  fi
  if [ -f "$wa_target" ] && cmp -s "$wa_tmp" "$wa_target"; then
    rm -f "$wa_tmp"
    return 0
  fi
  sync "$wa_tmp" 2>/dev/null || sync
  mv -f "$wa_tmp" "$wa_target" || { rm -f "$wa_tmp"; return 1; }
  sync "$wa_dir" 2>/dev/null || sync
  log "wrote $wa_target"
}

# The checkpointed pods ("parents") the API places on this node: annotated, not mirror pods.
parents() {
  jq -c --arg ann "$CHECKPOINT_ANNOTATION" --arg mirror "$MIRROR_ANNOTATION" '
    .items[]
    | select((.metadata.annotations // {})[$ann] == "true")
    | select((.metadata.annotations // {})[$mirror] == null)' "$INPUT_DIR/pods.json"
}

# The copy's name: the owner's (a DaemonSet's), else the pod's. It becomes a file and a directory
# name on the host, so anything but a DNS label (a "/", "..", a newline, capitals) is refused:
# prints nothing and fails.
checkpoint_name() {
  jq -r '((.metadata.ownerReferences // [])[0].name) // .metadata.name
    | if type == "string" and test("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$") then . else error("bad name") end' \
    2>/dev/null
}

# Secret and ConfigMap sources of a pod's volumes, one per line: VOLUME KIND NAME ITEMS-JSON.
volume_sources() {
  jq -r '
    (.spec.volumes // [])[]
    | . as $v
    | if .secret then [$v.name, "secrets", .secret.secretName, (.secret.items // null | tojson)]
      elif .configMap then [$v.name, "configmaps", .configMap.name, (.configMap.items // null | tojson)]
      elif .projected then
        (.projected.sources[]
         | if .secret then [$v.name, "secrets", .secret.name, (.secret.items // null | tojson)]
           elif .configMap then [$v.name, "configmaps", .configMap.name, (.configMap.items // null | tojson)]
           else empty end)
      else empty end
    | @tsv'
}

# write_volume DIR KIND NAME ITEMS-JSON: the files a Secret/ConfigMap volume source would show.
write_volume() {
  wv_dir="$1" wv_kind="$2" wv_name="$3" wv_items="$4"
  wv_source="$INPUT_DIR/$wv_kind/$wv_name.json"
  if [ ! -f "$wv_source" ]; then
    log "no copy of $wv_kind/$wv_name"
    return 1
  fi
  wv_pairs=$(jq -r --argjson items "$wv_items" '
    if $items == null then ((.data // {}) + (.binaryData // {})) | keys[] | [., .] | @tsv
    else $items[] | [.key, .path] | @tsv end' "$wv_source") || return 1
  if [ "$wv_kind" = secrets ]; then
    wv_filter='.data[$k] // error("missing key " + $k) | @base64d'
  else
    wv_filter='if .data[$k] != null then .data[$k]
      elif .binaryData[$k] != null then .binaryData[$k] | @base64d
      else error("missing key " + $k) end'
  fi
  while IFS="$TAB" read -r wv_key wv_path; do
    [ -n "$wv_key" ] || continue
    case "$wv_path" in
      /* | *..*) log "refusing path $wv_path in $wv_kind/$wv_name"; return 1 ;;
    esac
    jq -j --arg k "$wv_key" "$wv_filter" "$wv_source" > "$INPUT_DIR/.value" || return 1
    write_atomic "$wv_dir/$wv_path" < "$INPUT_DIR/.value" || return 1
  done <<EOF
$wv_pairs
EOF
  rm -f "$INPUT_DIR/.value"
}

# The static pod: the parent's spec with Secret/ConfigMap volumes turned into host paths, no
# service account, no scheduling fields, and the port-waiting init container in front.
static_pod() {
  name="$1" ports="$2"
  jq --arg name "$name" --arg ann "$CHECKPOINT_ANNOTATION" --arg of "$CHECKPOINT_OF" \
     --arg dir "$CHECKPOINT_DIR" --arg image "$IMAGE" --arg grace "$GRACE" --arg ports "$ports" '
    def hostvol: {name: .name, hostPath: {path: ($dir + "/" + $name + "/volumes/" + .name), type: "Directory"}};
    (.spec.volumes // [] | map(select(.name | startswith("kube-api-access-")) | .name)) as $dropped
    | {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: $name,
          namespace: .metadata.namespace,
          labels: {($of): $name},
          annotations: (((.metadata.annotations // {}) | del(.[$ann])) + {($of): $name})
        },
        spec: (.spec
          | del(.nodeName, .serviceAccountName, .serviceAccount, .affinity, .nodeSelector,
                .schedulerName, .priority, .tolerations, .enableServiceLinks, .preemptionPolicy)
          | .automountServiceAccountToken = false
          | .volumes = [(.volumes // [])[]
              | select(.name as $n | $dropped | index($n) | not)
              | if (.secret or .configMap or .projected) then hostvol else . end]
            + [{name: "pod-checkpointer", hostPath: {path: $dir, type: "Directory"}}]
          | .containers = [.containers[]
              | .volumeMounts = [(.volumeMounts // [])[] | select(.name as $n | $dropped | index($n) | not)]
              # No ports: under hostNetwork each is defaulted to a hostPort, and the kubelet
              # refuses whichever of the copy and the real pod comes second (NodePorts).
              | del(.ports)]
          | .initContainers = [{
              name: "wait-for-free-ports",
              image: $image,
              imagePullPolicy: "IfNotPresent",
              command: (["/bin/sh", ($dir + "/pod-checkpointer.sh"), "wait-ports-free", $grace]
                        + ($ports | split(" "))),
              volumeMounts: [{name: "pod-checkpointer", mountPath: $dir, readOnly: true}]
            }] + (.initContainers // []))
      }'
}

sync_pods() {
  if [ ! -f "$INPUT_DIR/pods.json" ]; then
    log "API unreachable; leaving checkpoints as they are"
    return 0
  fi
  mkdir -p "$CHECKPOINT_DIR" "$MANIFESTS_DIR" || return 1
  chmod 0700 "$CHECKPOINT_DIR"
  write_atomic "$CHECKPOINT_DIR/pod-checkpointer.sh" < "$SELF" || return 1
  keep=" "
  parents > "$INPUT_DIR/.parents" || return 1
  while read -r pod; do
    if ! name=$(printf '%s' "$pod" | checkpoint_name) || [ -z "$name" ]; then
      log "refusing to checkpoint a pod whose owner or pod name is not a DNS label"
      continue
    fi
    keep="$keep$name "
    manifest="$MANIFESTS_DIR/$name.checkpoint.yaml"
    state=$(printf '%s' "$pod" | jq -r '
      if .status.phase == "Running" then
        if ((.status.conditions // []) | map(select(.type == "Ready" and .status == "True")) | length) > 0
        then "ready" else "running" end
      else (.status.phase // "Unknown") end')
    if [ "$state" = ready ]; then
      checkpoint "$pod" "$name" "$manifest"
    elif [ -f "$manifest" ] && node_runs_real_pod "$pod" "$name"; then
      # This boot's kubelet started the real pod after the copy, which serves: hand over.
      rm -f "$manifest" && log "removed $manifest: the kubelet started the real pod after the copy"
    fi
  done < "$INPUT_DIR/.parents"
  # Copies whose pod the API no longer places on this node.
  for manifest in "$MANIFESTS_DIR"/*.checkpoint.yaml; do
    [ -f "$manifest" ] || continue
    name=$(basename "$manifest" .checkpoint.yaml)
    case "$keep" in
      *" $name "*) ;;
      *)
        rm -f "$manifest"
        rm -rf "${CHECKPOINT_DIR:?}/$name"
        log "removed $manifest: no $name pod on this node any more"
        ;;
    esac
  done
}

# This node's boot time, seconds since the epoch.
boot_time() {
  awk '$1 == "btime" { print $2; found = 1 } END { exit found ? 0 : 1 }' "$PROC_DIR/stat"
}

# node_runs_real_pod POD NAME: true only on evidence that this node, since its last boot, runs
# the copy NAME and has started the real POD's container after it. The API's status alone is not
# enough: right after a power cut it still shows what the kubelet reported before the cut
# (Running, even Ready), so every time counted here must be after this node's boot time, which a
# report from before the cut cannot be. Needed, all of:
#   - the copy's mirror pod reports its first container running since this boot (the copy got
#     past its port wait: it serves);
#   - the real pod reports a start of its first container (running now, or a terminated attempt,
#     as when it could not bind the copy's port) at or after the copy's start;
#   - one of the real pod's ports is listened on, here, now (the copy serves: removing it makes
#     room for the real pod, and never removes a copy that stood by doing nothing).
node_runs_real_pod() {
  nr_pod="$1" nr_name="$2"
  nr_boot=$(boot_time) || { log "cannot read this node's boot time; no hand-over"; return 1; }
  nr_ports=$(printf '%s' "$nr_pod" | jq -r '[.spec.containers[].ports // [] | .[].containerPort] | map(tostring) | join(" ")')
  [ -n "$nr_ports" ] || return 1
  # shellcheck disable=SC2086
  listening $nr_ports || return 1
  printf '%s' "$nr_pod" | jq -e --slurpfile pods "$INPUT_DIR/pods.json" --argjson boot "$nr_boot" \
      --arg of "$CHECKPOINT_OF" --arg name "$nr_name" --arg mirror "$MIRROR_ANNOTATION" '
    def t: if type == "string" then (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) else null end;
    ([$pods[0].items[]
      | select((.metadata.annotations // {})[$mirror] != null)
      | select((.metadata.labels // {})[$of] == $name)
      | ((.status.containerStatuses // [])[0].state.running.startedAt | t)
      | select(. != null and . >= $boot)] | max) as $copy
    | ((.status.containerStatuses // [])[0] // {}
       | [.state.running.startedAt, .state.terminated.startedAt, .lastState.terminated.startedAt]
       | map(t) | map(select(. != null))) as $real
    | $copy != null and ([$real[] | select(. >= $copy)] | length > 0)' > /dev/null
}

checkpoint() {
  pod="$1" name="$2" manifest="$3"
  ports=$(printf '%s' "$pod" | jq -r '[.spec.containers[].ports // [] | .[].containerPort] | map(tostring) | join(" ")')
  if [ -z "$ports" ]; then
    log "pod $name declares no ports; a copy could not tell when to stand by; not checkpointed"
    return 0
  fi
  sources=$(printf '%s' "$pod" | volume_sources) || return 1
  # Every volume file first: a manifest never points at data that is not there.
  failed=0
  while IFS="$TAB" read -r volume kind source items; do
    [ -n "$volume" ] || continue
    write_volume "$CHECKPOINT_DIR/$name/volumes/$volume" "$kind" "$source" "$items" || failed=1
  done <<EOF
$sources
EOF
  if [ "$failed" = 1 ]; then
    log "incomplete volume data for $name; its copy is left as it was"
    return 1
  fi
  printf '%s' "$pod" | static_pod "$name" "$ports" > "$INPUT_DIR/.manifest" || return 1
  write_atomic "$manifest" < "$INPUT_DIR/.manifest"
}

# https://HOST:PORT, with an IPv6 address in brackets.
url() {
  case "$1" in
    *:*) echo "https://[$1]:$2" ;;
    *) echo "https://$1:$2" ;;
  esac
}

# The API servers to try, in order, one per line: the VIP, then this node's own apiserver.
# "default" when $KUBECONFIG is set: its own server is used.
api_servers() {
  [ -z "${KUBECONFIG:-}" ] || { echo default; return 0; }
  if [ -n "${KUBERNETES_SERVICE_HOST:-}" ]; then
    url "$KUBERNETES_SERVICE_HOST" "${KUBERNETES_SERVICE_PORT:-443}"
  fi
  if [ -n "${HOST_IP:-}" ] && [ -n "${APISERVER_PORT:-}" ]; then
    url "$HOST_IP" "$APISERVER_PORT"
  fi
}

# The kubeconfig kubectl uses: $KUBECONFIG, else one written from the ServiceAccount's files.
# kubectl falls back to its in-cluster config only when no flag touches the client config; with
# --request-timeout or --server it dials localhost:8080 instead. The token is named by file, so
# the kubelet's refreshes of it are picked up.
kubeconfig() {
  if [ -n "${KUBECONFIG:-}" ]; then
    echo "$KUBECONFIG"
    return 0
  fi
  kc="$INPUT_DIR/kubeconfig"
  write_atomic "$kc" 2>/dev/null <<KUBECONFIG_END || return 1
apiVersion: v1
kind: Config
clusters:
- name: cluster
  cluster:
    server: https://kubernetes.invalid
    certificate-authority: $SA_DIR/ca.crt
users:
- name: pod-checkpointer
  user:
    tokenFile: $SA_DIR/token
contexts:
- name: pod-checkpointer
  context:
    cluster: cluster
    user: pod-checkpointer
    namespace: $NAMESPACE
current-context: pod-checkpointer
KUBECONFIG_END
  echo "$kc"
}

# kube SERVER ARGS...: kubectl against SERVER ("default": the kubeconfig's own).
kube() {
  kb_server="$1"
  shift
  if [ "$kb_server" = default ]; then
    "$KUBECTL" --kubeconfig "$KUBE_CONFIG" --request-timeout=10s "$@"
  else
    "$KUBECTL" --kubeconfig "$KUBE_CONFIG" --server "$kb_server" --request-timeout=10s "$@"
  fi
}

fetch() {
  mkdir -p "$INPUT_DIR/secrets" "$INPUT_DIR/configmaps" || return 1
  KUBE_CONFIG=$(kubeconfig) || { log "cannot write a kubeconfig in $INPUT_DIR"; return 1; }
  server=""
  for candidate in $(api_servers); do
    if kube "$candidate" get pods -n "$NAMESPACE" --field-selector "spec.nodeName=$NODE_NAME" \
        -o json > "$INPUT_DIR/.pods.json"; then
      server="$candidate"
      break
    fi
    log "cannot list pods at $candidate"
  done
  if [ -z "$server" ]; then
    rm -f "$INPUT_DIR/pods.json" "$INPUT_DIR/.pods.json"
    log "cannot list pods; the API is unreachable"
    return 0
  fi
  mv -f "$INPUT_DIR/.pods.json" "$INPUT_DIR/pods.json"
  parents | volume_sources | while IFS="$TAB" read -r volume kind source items; do
    resource=secret
    [ "$kind" = configmaps ] && resource=configmap
    case "$source" in
      */* | *..* | "") log "refusing $resource name $source"; continue ;;
    esac
    if kube "$server" get "$resource" "$source" -n "$NAMESPACE" -o json \
        > "$INPUT_DIR/$kind/.$source.json"; then
      mv -f "$INPUT_DIR/$kind/.$source.json" "$INPUT_DIR/$kind/$source.json"
    else
      rm -f "$INPUT_DIR/$kind/.$source.json" "$INPUT_DIR/$kind/$source.json"
    fi
  done
}

# wait-ports-free GRACE PORT...: returns once no PORT has been listened on (TCP, IPv4 or IPv6)
# for GRACE seconds in a row.
listening() {
  for port in "$@"; do
    hex=$(printf '%04X' "$port")
    for table in "$PROC_NET_DIR/tcp" "$PROC_NET_DIR/tcp6"; do
      [ -f "$table" ] || continue
      if awk -v hex="$hex" 'NR > 1 && $4 == "0A" { n = split($2, a, ":"); if (toupper(a[n]) == hex) found = 1 }
          END { exit found ? 0 : 1 }' "$table"; then
        return 0
      fi
    done
  done
  return 1
}

wait_ports_free() {
  grace="$1"
  shift
  free_since=$(date +%s)
  while true; do
    now=$(date +%s)
    if listening "$@"; then
      free_since=$now
    elif [ $((now - free_since)) -ge "$grace" ]; then
      log "ports $* free for ${grace}s; starting the checkpointed pod"
      return 0
    fi
    sleep 1
  done
}

case "${1:-loop}" in
  fetch) : "${NODE_NAME:?NODE_NAME must name this node}"; fetch ;;
  sync) sync_pods ;;
  wait-ports-free) shift; wait_ports_free "$@" ;;
  loop)
    : "${NODE_NAME:?NODE_NAME must name this node}"
    while true; do
      fetch || log "fetch failed"
      sync_pods || log "sync failed"
      sleep "$INTERVAL"
    done
    ;;
  *) echo "usage: $0 loop|fetch|sync|wait-ports-free GRACE PORT..." >&2; exit 2 ;;
esac
