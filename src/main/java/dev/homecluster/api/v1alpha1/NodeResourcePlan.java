package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the HomeCluster asks of one node, against what the node offers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeResourcePlan {
  @JsonPropertyDescription("Node name.")
  private String node;

  @JsonPropertyDescription("CPU requested by the components placed on the node.")
  private String cpuRequested;

  @JsonPropertyDescription("Memory requested by the components placed on the node.")
  private String memoryRequested;

  @JsonPropertyDescription("CPU allocatable (from the Node, or declared capacity).")
  private String cpuAllocatable;

  @JsonPropertyDescription("Memory allocatable (from the Node, or declared capacity).")
  private String memoryAllocatable;

  @JsonPropertyDescription("True when requests exceed allocatable.")
  private Boolean overcommitted;

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public String getCpuRequested() {
    return cpuRequested;
  }

  public void setCpuRequested(String cpuRequested) {
    this.cpuRequested = cpuRequested;
  }

  public String getMemoryRequested() {
    return memoryRequested;
  }

  public void setMemoryRequested(String memoryRequested) {
    this.memoryRequested = memoryRequested;
  }

  public String getCpuAllocatable() {
    return cpuAllocatable;
  }

  public void setCpuAllocatable(String cpuAllocatable) {
    this.cpuAllocatable = cpuAllocatable;
  }

  public String getMemoryAllocatable() {
    return memoryAllocatable;
  }

  public void setMemoryAllocatable(String memoryAllocatable) {
    this.memoryAllocatable = memoryAllocatable;
  }

  public Boolean getOvercommitted() {
    return overcommitted;
  }

  public void setOvercommitted(Boolean overcommitted) {
    this.overcommitted = overcommitted;
  }
}
