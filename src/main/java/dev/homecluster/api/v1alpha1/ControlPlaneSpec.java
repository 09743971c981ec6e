package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The self-hosted control plane. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.apiServerPort) || !has(self.endpoint.port) || self.apiServerPort != self.endpoint.port",
    message =
        "apiServerPort must differ from endpoint.port: HAProxy and the apiserver share each"
            + " master's host network",
    fieldPath = ".apiServerPort")
public class ControlPlaneSpec {
  public static final int DEFAULT_APISERVER_PORT = 6443;

  @JsonPropertyDescription(
      "The virtual IP held by keepalived on the masters, with HAProxy in front of the"
          + " apiservers. Clients and kubelets use vip:port.")
  @Required
  private EndpointSpec endpoint;

  @JsonPropertyDescription(
      "Port each master's kube-apiserver listens on (host network). HAProxy on the endpoint"
          + " port forwards to it; it must differ from endpoint.port.")
  @Default("6443")
  @Min(1)
  @Max(65535)
  @ValidationRule(value = HostPortSchema.NOT_RESERVED_RULE, message = HostPortSchema.NOT_RESERVED_MESSAGE)
  private Integer apiServerPort = DEFAULT_APISERVER_PORT;

  @JsonPropertyDescription("etcd, run as a static pod on every master.")
  private EtcdSpec etcd = new EtcdSpec();

  @JsonPropertyDescription("Lifetime and renewal of the certificates the operator issues.")
  private CertificatesSpec certificates = new CertificatesSpec();

  public EndpointSpec getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(EndpointSpec endpoint) {
    this.endpoint = endpoint;
  }

  public Integer getApiServerPort() {
    return apiServerPort;
  }

  public void setApiServerPort(Integer apiServerPort) {
    this.apiServerPort = apiServerPort;
  }

  public EtcdSpec getEtcd() {
    return etcd;
  }

  public void setEtcd(EtcdSpec etcd) {
    this.etcd = etcd;
  }

  public CertificatesSpec getCertificates() {
    return certificates;
  }

  public void setCertificates(CertificatesSpec certificates) {
    this.certificates = certificates;
  }
}
