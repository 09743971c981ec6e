package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** The CephFilesystem that workloads and the backup rsync use. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CephFilesystemSpec {
  @JsonPropertyDescription("Name of the CephFilesystem.")
  @Default("homefs")
  @Size(min = 1, max = 40)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  private String name = "homefs";

  @JsonPropertyDescription("Name of the filesystem's data pool.")
  @Default("data")
  @Size(min = 1, max = 40)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  private String dataPoolName = "data";

  @JsonPropertyDescription("Replicas of every object in the metadata and data pools.")
  @Default("3")
  @Min(1)
  @Max(7)
  private Integer replicas = 3;

  @JsonPropertyDescription("Name of the StorageClass for the filesystem (default: cephfs).")
  @Default("cephfs")
  @Size(min = 1, max = 63)
  private String storageClassName = "cephfs";

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getDataPoolName() {
    return dataPoolName;
  }

  public void setDataPoolName(String dataPoolName) {
    this.dataPoolName = dataPoolName;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }
}
