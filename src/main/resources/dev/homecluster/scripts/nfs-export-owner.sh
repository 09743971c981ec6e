#!/bin/sh
# Gives the backup export, and everything in it, to the uid and gid that the NFS export maps
# every client user to (all_squash, anonuid, anongid): squashed writers can then create, replace
# and delete files in it. Runs as the NFS server's init container, before the export is served.
#
# Usage: nfs-export-owner.sh DIR ID
#
# Only a directory that does not yet belong to ID:ID is walked (a fresh pool, or one written by
# an operator version that exported with no_root_squash), and only entries owned by someone else
# are changed; the directory itself changes last, so an interrupted run starts over next time.
# -xdev: never into another filesystem (ZFS snapshots under .zfs, child datasets, mounts).
set -eu

dir=${1:?usage: nfs-export-owner.sh DIR ID}
id=${2:?usage: nfs-export-owner.sh DIR ID}
case "$id" in
  ''|*[!0-9]*) echo "nfs-export-owner: ID must be a number, got '$id'" >&2; exit 2 ;;
esac

owner=$(stat -c %u:%g "$dir")
if [ "$owner" = "$id:$id" ]; then
  echo "nfs-export-owner: $dir belongs to $id:$id"
  exit 0
fi
echo "nfs-export-owner: $dir belongs to $owner; giving it and its contents to $id:$id"
find "$dir" -xdev -mindepth 1 \( ! -user "$id" -o ! -group "$id" \) -exec chown -h "$id:$id" {} +
chown "$id:$id" "$dir"
echo "nfs-export-owner: done"
