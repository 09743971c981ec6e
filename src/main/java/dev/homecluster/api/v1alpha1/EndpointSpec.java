package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The virtual IP in front of the apiservers: keepalived (VRRP) plus HAProxy on every master. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EndpointSpec {
  public static final int DEFAULT_PORT = 8443;
  public static final int DEFAULT_VIRTUAL_ROUTER_ID = 51;
  public static final String DEFAULT_INTERFACE = "eth0";
  /**
   * Alpine with keepalived 2.3.4 built from source, rebuilt every two weeks, amd64 and arm64. The
   * endpoint needs keepalived 2.2 or newer (includer, conditional lines), /bin/sh and
   * /usr/bin/curl; osixia/keepalived stopped at keepalived 2.0.20 in 2020.
   */
  public static final String DEFAULT_KEEPALIVED_IMAGE = "docker.io/ednxzu/keepalived:2.3.4";
  public static final String DEFAULT_HAPROXY_IMAGE = "docker.io/library/haproxy:3.2-alpine";

  @JsonPropertyDescription(
      "The virtual IP address. It must be free on the home network, in the masters' subnet, and"
          + " not any node's address.")
  @Required
  @Size(min = 2, max = 45)
  @ValidationRule(value = "isIP(self)", message = "must be an IP address")
  @ValidationRule(
      value = "!isIP(self) || ip(self).isGlobalUnicast()",
      message =
          "must be a unicast address on the home network: not 0.0.0.0, ::, loopback, multicast,"
              + " link-local or broadcast")
  private String vip;

  @JsonPropertyDescription("TCP port HAProxy listens on for the Kubernetes API.")
  @Default("8443")
  @Min(1)
  @Max(65535)
  @ValidationRule(value = HostPortSchema.NOT_RESERVED_RULE, message = HostPortSchema.NOT_RESERVED_MESSAGE)
  private Integer port = DEFAULT_PORT;

  @JsonPropertyDescription(
      "VRRP virtual router id, 1 to 255, unique among VRRP routers on the home network.")
  @Default("51")
  @Min(1)
  @Max(255)
  private Integer virtualRouterId = DEFAULT_VIRTUAL_ROUTER_ID;

  @JsonPropertyDescription("Network interface on the masters that carries the VIP.")
  @Default(DEFAULT_INTERFACE)
  @Size(min = 1, max = 15)
  @Pattern("^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
  private String interfaceName = DEFAULT_INTERFACE;

  @JsonPropertyDescription(
      "keepalived container image: keepalived 2.2 or newer with /bin/sh and /usr/bin/curl.")
  @Default(DEFAULT_KEEPALIVED_IMAGE)
  @Size(max = ImageReferences.MAX_LENGTH)
  @Pattern(ImageReferences.REFERENCE)
  private String keepalivedImage = DEFAULT_KEEPALIVED_IMAGE;

  @JsonPropertyDescription(
      "HAProxy container image; it runs as user 99, the official image's haproxy user.")
  @Default(DEFAULT_HAPROXY_IMAGE)
  @Size(max = ImageReferences.MAX_LENGTH)
  @Pattern(ImageReferences.REFERENCE)
  private String haproxyImage = DEFAULT_HAPROXY_IMAGE;

  public String getVip() {
    return vip;
  }

  public void setVip(String vip) {
    this.vip = vip;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Integer getVirtualRouterId() {
    return virtualRouterId;
  }

  public void setVirtualRouterId(Integer virtualRouterId) {
    this.virtualRouterId = virtualRouterId;
  }

  @com.fasterxml.jackson.annotation.JsonProperty("interface")
  public String getInterfaceName() {
    return interfaceName;
  }

  @com.fasterxml.jackson.annotation.JsonProperty("interface")
  public void setInterfaceName(String interfaceName) {
    this.interfaceName = interfaceName;
  }

  public String getKeepalivedImage() {
    return keepalivedImage;
  }

  public void setKeepalivedImage(String keepalivedImage) {
    this.keepalivedImage = keepalivedImage;
  }

  public String getHaproxyImage() {
    return haproxyImage;
  }

  public void setHaproxyImage(String haproxyImage) {
    this.haproxyImage = haproxyImage;
  }
}
