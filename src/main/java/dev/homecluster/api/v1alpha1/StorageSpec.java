package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Storage of the cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
  @JsonPropertyDescription("Ceph, deployed by Rook (installed separately), on the workers' disks.")
  private CephSpec ceph = new CephSpec();

  public CephSpec getCeph() {
    return ceph;
  }

  public void setCeph(CephSpec ceph) {
    this.ceph = ceph;
  }
}
