package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;

/** One machine of the cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.storageDevices) || size(self.storageDevices) == 0 || 'worker' in self.roles",
    message = "storageDevices are only used on nodes with the worker role",
    fieldPath = ".storageDevices")
public class NodeSpec {
  @JsonPropertyDescription(
      "The Kubernetes Node name of this machine (its kubernetes.io/hostname label): a lowercase"
          + " RFC 1123 DNS subdomain.")
  @Required
  @Size(min = 1, max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  private String name;

  @JsonPropertyDescription(
      "The machine's IP address on the home network (IPv4 or IPv6). etcd, the apiserver,"
          + " keepalived and HAProxy use it.")
  @Required
  @Size(min = 2, max = 45)
  @ValidationRule(value = "isIP(self)", message = "must be an IP address")
  @ValidationRule(
      value = "!isIP(self) || ip(self).isGlobalUnicast()",
      message =
          "must be the machine's unicast address: not 0.0.0.0, ::, loopback, multicast,"
              + " link-local or broadcast")
  private String address;

  @JsonPropertyDescription(
      "Roles of the machine: master (control plane and virtual IP), worker (workloads and Ceph"
          + " OSDs) and backup (ZFS pool exported over NFS). At least one.")
  @Required
  @Size(min = 1, max = 3)
  @ValidationRule(
      value = "self.all(r, self.exists_one(s, s == r))",
      message = "roles must not repeat")
  private List<Role> roles = new ArrayList<>();

  @JsonPropertyDescription(
      "Disks on this worker that Ceph may use for OSDs: short names like sdb or nvme0n1, or"
          + " stable paths under /dev/disk/by-id/ or /dev/disk/by-path/. They will be formatted"
          + " by Ceph.")
  @Size(max = 32)
  private List<String> storageDevices;

  @JsonPropertyDescription(
      "Resources for the OSDs on this node, overriding storage.ceph.osdResources.")
  private ResourceRequirements osdResources;

  @JsonPropertyDescription(
      "Declared capacity of the machine (cpu, memory), used by the resource planner while the"
          + " Node does not exist yet. When the Node exists its allocatable is used instead.")
  private NodeCapacity capacity;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }

  public List<Role> getRoles() {
    return roles;
  }

  public void setRoles(List<Role> roles) {
    this.roles = roles;
  }

  public List<String> getStorageDevices() {
    return storageDevices;
  }

  public void setStorageDevices(List<String> storageDevices) {
    this.storageDevices = storageDevices;
  }

  public ResourceRequirements getOsdResources() {
    return osdResources;
  }

  public void setOsdResources(ResourceRequirements osdResources) {
    this.osdResources = osdResources;
  }

  public NodeCapacity getCapacity() {
    return capacity;
  }

  public void setCapacity(NodeCapacity capacity) {
    this.capacity = capacity;
  }

  /** True when the node holds the role. */
  @JsonIgnore
  public boolean has(Role role) {
    return roles != null && roles.contains(role);
  }

  /** The storage devices, never null. */
  @JsonIgnore
  public List<String> devices() {
    return storageDevices == null ? List.of() : storageDevices;
  }
}
