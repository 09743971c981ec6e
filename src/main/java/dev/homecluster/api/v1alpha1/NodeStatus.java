package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What the operator sees of one node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeStatus {
  @JsonPropertyDescription("Node name.")
  private String name;

  @JsonPropertyDescription("Roles from the spec.")
  private List<String> roles;

  @JsonPropertyDescription("Whether a Node of this name is registered.")
  private Boolean present;

  @JsonPropertyDescription("Whether the Node's Ready condition is True.")
  private Boolean ready;

  @JsonPropertyDescription("Components with a running pod on this node.")
  private List<String> components;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public List<String> getRoles() {
    return roles;
  }

  public void setRoles(List<String> roles) {
    this.roles = roles;
  }

  public Boolean getPresent() {
    return present;
  }

  public void setPresent(Boolean present) {
    this.present = present;
  }

  public Boolean getReady() {
    return ready;
  }

  public void setReady(Boolean ready) {
    this.ready = ready;
  }

  public List<String> getComponents() {
    return components;
  }

  public void setComponents(List<String> components) {
    this.components = components;
  }
}
