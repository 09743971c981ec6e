package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator observed. Follows kstatus: observedGeneration plus a Ready condition, so
 * {@code kubectl wait --for=condition=Ready} and Flux health checks work.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HomeClusterStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("One word summary: Pending, Progressing, Ready, Degraded, Invalid, or Refused (another HomeCluster manages the cluster).")
  private String phase;

  @JsonPropertyDescription(
      "Conditions of fixed types: Ready, Valid, ControlPlaneReady, EndpointReady, StorageReady,"
          + " BackupsHealthy.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Address of the Kubernetes API through the virtual IP (vip:port).")
  private String endpoint;

  @JsonPropertyDescription("Masters whose keepalived/HAProxy pod is ready to serve the endpoint.")
  private List<String> endpointServers;

  @JsonPropertyDescription("Number of nodes with the master role.")
  private Integer masters;

  @JsonPropertyDescription("Number of nodes with the worker role.")
  private Integer workers;

  @JsonPropertyDescription("Validation warnings: the spec is accepted, but worth a look.")
  private List<String> warnings;

  @JsonPropertyDescription("Per node: roles, whether its Node exists and is Ready, what runs there.")
  private List<NodeStatus> nodes;

  @JsonPropertyDescription("Per component: ready and desired pod counts.")
  private List<ComponentStatus> components;

  @JsonPropertyDescription("Per backup kind: last success and last failure.")
  private List<BackupStatus> backups;

  @JsonPropertyDescription("Per node: requested resources against allocatable.")
  private List<NodeResourcePlan> resourcePlan;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public List<String> getEndpointServers() {
    return endpointServers;
  }

  public void setEndpointServers(List<String> endpointServers) {
    this.endpointServers = endpointServers;
  }

  public Integer getMasters() {
    return masters;
  }

  public void setMasters(Integer masters) {
    this.masters = masters;
  }

  public Integer getWorkers() {
    return workers;
  }

  public void setWorkers(Integer workers) {
    this.workers = workers;
  }

  public List<String> getWarnings() {
    return warnings;
  }

  public void setWarnings(List<String> warnings) {
    this.warnings = warnings;
  }

  public List<NodeStatus> getNodes() {
    return nodes;
  }

  public void setNodes(List<NodeStatus> nodes) {
    this.nodes = nodes;
  }

  public List<ComponentStatus> getComponents() {
    return components;
  }

  public void setComponents(List<ComponentStatus> components) {
    this.components = components;
  }

  public List<BackupStatus> getBackups() {
    return backups;
  }

  public void setBackups(List<BackupStatus> backups) {
    this.backups = backups;
  }

  public List<NodeResourcePlan> getResourcePlan() {
    return resourcePlan;
  }

  public void setResourcePlan(List<NodeResourcePlan> resourcePlan) {
    this.resourcePlan = resourcePlan;
  }
}
