#!/bin/sh
# Pod checkpointer: keeps a static-pod copy of this node's checkpoint-annotated pods (the
# kube-apiserver) in the kubelet's manifests directory, so that after a full power cycle the
# kubelet can start the apiserver before any API exists to tell it to.
#
# The copy is inert while the real pod runs: it begins with an init container that waits until
# none of the pod's ports has been listened on for $GRACE seconds. After a power cycle nothing
# listens, so the copy starts and serves the API; once the real pod is back (Running, but unable
# to bind its port), the copy is removed and the real pod takes over; when the real pod is Ready
# the copy is written again, inert.
#
# Decisions are made on files only, so they can be tested without a cluster:
#   $INPUT_DIR/pods.json                 the API's pods on this node (absent: API unreachable)
#   $INPUT_DIR/secrets/<name>.json       Secrets the checkpointed pods mount
#   $INPUT_DIR/configmaps/<name>.json    ConfigMaps the checkpointed pods mount
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

checkpoint_name() {
  jq -r '((.metadata.ownerReferences // [])[0].name) // .metadata.name'
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
              | .volumeMounts = [(.volumeMounts // [])[] | select(.name as $n | $dropped | index($n) | not)]]
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
    name=$(printf '%s' "$pod" | checkpoint_name)
    keep="$keep$name "
    manifest="$MANIFESTS_DIR/$name.checkpoint.yaml"
    state=$(printf '%s' "$pod" | jq -r '
      if .status.phase == "Running" then
        if ((.status.conditions // []) | map(select(.type == "Ready" and .status == "True")) | length) > 0
        then "ready" else "running" end
      else (.status.phase // "Unknown") end')
    if [ "$state" = ready ]; then
      checkpoint "$pod" "$name" "$manifest"
    elif [ "$state" = running ] && [ -f "$manifest" ] && copy_serving "$name"; then
      # The real pod is back but cannot bind while the copy serves: hand over.
      rm -f "$manifest" && log "removed $manifest: the real pod is running again"
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

# True when the mirror pod of the copy NAME runs (its init container finished: it serves).
copy_serving() {
  jq -e --arg of "$CHECKPOINT_OF" --arg name "$1" --arg mirror "$MIRROR_ANNOTATION" '
    [.items[]
     | select((.metadata.annotations // {})[$mirror] != null)
     | select((.metadata.labels // {})[$of] == $name)
     | select(.status.phase == "Running")] | length > 0' "$INPUT_DIR/pods.json" > /dev/null
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

fetch() {
  mkdir -p "$INPUT_DIR/secrets" "$INPUT_DIR/configmaps" || return 1
  if ! "$KUBECTL" get pods -n "$NAMESPACE" --field-selector "spec.nodeName=$NODE_NAME" \
      -o json --request-timeout=10s > "$INPUT_DIR/.pods.json"; then
    rm -f "$INPUT_DIR/pods.json" "$INPUT_DIR/.pods.json"
    log "cannot list pods; the API is unreachable"
    return 0
  fi
  mv -f "$INPUT_DIR/.pods.json" "$INPUT_DIR/pods.json"
  parents | volume_sources | while IFS="$TAB" read -r volume kind source items; do
    resource=secret
    [ "$kind" = configmaps ] && resource=configmap
    if "$KUBECTL" get "$resource" "$source" -n "$NAMESPACE" -o json --request-timeout=10s \
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
