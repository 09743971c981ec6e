package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Ready and desired pods of one owned workload. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ComponentStatus {
  @JsonPropertyDescription("Component name (the app.kubernetes.io/component label).")
  private String name;

  @JsonPropertyDescription("Kind of the workload: DaemonSet, Deployment, StatefulSet, CronJob.")
  private String kind;

  @JsonPropertyDescription("Pods ready.")
  private Integer ready;

  @JsonPropertyDescription("Pods desired.")
  private Integer desired;

  public ComponentStatus() {}

  public ComponentStatus(String name, String kind, Integer ready, Integer desired) {
    this.name = name;
    this.kind = kind;
    this.ready = ready;
    this.desired = desired;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public Integer getReady() {
    return ready;
  }

  public void setReady(Integer ready) {
    this.ready = ready;
  }

  public Integer getDesired() {
    return desired;
  }

  public void setDesired(Integer desired) {
    this.desired = desired;
  }
}
