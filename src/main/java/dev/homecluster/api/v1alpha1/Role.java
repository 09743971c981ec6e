package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a machine does in the cluster. */
public enum Role {
  /** Runs etcd, the apiserver, controller-manager, scheduler and holds the virtual IP. */
  @JsonProperty("master")
  MASTER("master"),
  /** Runs workloads and carries Ceph OSDs on its storage devices. */
  @JsonProperty("worker")
  WORKER("worker"),
  /** Holds the ZFS pool that backups are written to, exported over NFS. */
  @JsonProperty("backup")
  BACKUP("backup");

  private final String value;

  Role(String value) {
    this.value = value;
  }

  /**
   * The role's name as written in the spec, and in {@code node-role.kubernetes.io/<name>} except
   * for masters, whose label is {@code node-role.kubernetes.io/control-plane}.
   */
  public String value() {
    return value;
  }
}
