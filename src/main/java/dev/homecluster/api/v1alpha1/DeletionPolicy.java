package dev.homecluster.api.v1alpha1;

/** What happens to data-bearing objects when a HomeCluster is deleted. */
public enum DeletionPolicy {
  /** Keep CephCluster, CephFilesystem and the NFS volume; only stateless objects go. */
  Orphan,
  /** Delete data-bearing objects too. Ceph itself still refuses to wipe disks without confirmation. */
  Delete
}
