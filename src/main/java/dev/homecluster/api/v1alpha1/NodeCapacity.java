package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Quantity;

/** Declared capacity of a machine, for planning before its Node registers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeCapacity {
  @JsonPropertyDescription("CPU available to pods, for example 4 or 3500m.")
  private Quantity cpu;

  @JsonPropertyDescription("Memory available to pods, for example 16Gi.")
  private Quantity memory;

  public NodeCapacity() {}

  public NodeCapacity(Quantity cpu, Quantity memory) {
    this.cpu = cpu;
    this.memory = memory;
  }

  public Quantity getCpu() {
    return cpu;
  }

  public void setCpu(Quantity cpu) {
    this.cpu = cpu;
  }

  public Quantity getMemory() {
    return memory;
  }

  public void setMemory(Quantity memory) {
    this.memory = memory;
  }
}
