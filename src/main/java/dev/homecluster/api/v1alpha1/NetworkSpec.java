package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Cluster networking. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkSpec {
  public static final String DEFAULT_POD_CIDR = "10.244.0.0/16";
  public static final String DEFAULT_SERVICE_CIDR = "10.96.0.0/12";
  public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

  @JsonPropertyDescription(
      "Pod network (flannel), in CIDR notation. Each node gets a /24 of it (IPv6: a /64), so it"
          + " needs a range per node: /8 to /24 (IPv6: /48 to /64).")
  @Default(DEFAULT_POD_CIDR)
  @Size(max = 49)
  @ValidationRule(value = "isCIDR(self)", message = "must be a CIDR such as 10.244.0.0/16")
  @ValidationRule(
      value =
          "!isCIDR(self) || (cidr(self).ip().family() == 4"
              + " ? cidr(self).prefixLength() >= 8 && cidr(self).prefixLength() <= 24"
              + " : cidr(self).prefixLength() >= 48 && cidr(self).prefixLength() <= 64)",
      message =
          "must be an IPv4 range from /8 to /24 or an IPv6 range from /48 to /64: the"
              + " controller-manager gives each node a /24 (IPv6: /64) of it and allows at most"
              + " 16 bits between the two")
  private String podCIDR = DEFAULT_POD_CIDR;

  @JsonPropertyDescription(
      "Service network, in CIDR notation. The apiserver's Service takes its first address and"
          + " CoreDNS its tenth.")
  @Default(DEFAULT_SERVICE_CIDR)
  @Size(max = 49)
  @ValidationRule(value = "isCIDR(self)", message = "must be a CIDR such as 10.96.0.0/12")
  private String serviceCIDR = DEFAULT_SERVICE_CIDR;

  @JsonPropertyDescription(
      "The home network the machines are on, in CIDR notation (for example 192.168.1.0/24)."
          + " Optional: when set, node addresses and the VIP are checked to lie inside it, and"
          + " pod and service networks not to overlap it.")
  @Size(max = 49)
  @ValidationRule(value = "isCIDR(self)", message = "must be a CIDR such as 192.168.1.0/24")
  private String nodeCIDR;

  @JsonPropertyDescription("DNS domain of the cluster.")
  @Default(DEFAULT_CLUSTER_DOMAIN)
  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  private String clusterDomain = DEFAULT_CLUSTER_DOMAIN;

  public String getPodCIDR() {
    return podCIDR;
  }

  public void setPodCIDR(String podCIDR) {
    this.podCIDR = podCIDR;
  }

  public String getServiceCIDR() {
    return serviceCIDR;
  }

  public void setServiceCIDR(String serviceCIDR) {
    this.serviceCIDR = serviceCIDR;
  }

  public String getNodeCIDR() {
    return nodeCIDR;
  }

  public void setNodeCIDR(String nodeCIDR) {
    this.nodeCIDR = nodeCIDR;
  }

  public String getClusterDomain() {
    return clusterDomain;
  }

  public void setClusterDomain(String clusterDomain) {
    this.clusterDomain = clusterDomain;
  }
}
