package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last outcomes of one kind of backup. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupStatus {
  @JsonPropertyDescription("Backup kind: rsync, zfs-snapshot or etcd-snapshot.")
  private String kind;

  @JsonPropertyDescription("When the last successful run finished (RFC 3339).")
  private String lastSuccess;

  @JsonPropertyDescription("When the last failed run finished (RFC 3339).")
  private String lastFailure;

  @JsonPropertyDescription("Why the last failed run failed.")
  private String lastFailureReason;

  @JsonPropertyDescription("Bytes transferred by the last successful run, where known.")
  private Long lastBytes;

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getLastSuccess() {
    return lastSuccess;
  }

  public void setLastSuccess(String lastSuccess) {
    this.lastSuccess = lastSuccess;
  }

  public String getLastFailure() {
    return lastFailure;
  }

  public void setLastFailure(String lastFailure) {
    this.lastFailure = lastFailure;
  }

  public String getLastFailureReason() {
    return lastFailureReason;
  }

  public void setLastFailureReason(String lastFailureReason) {
    this.lastFailureReason = lastFailureReason;
  }

  public Long getLastBytes() {
    return lastBytes;
  }

  public void setLastBytes(Long lastBytes) {
    this.lastBytes = lastBytes;
  }
}
