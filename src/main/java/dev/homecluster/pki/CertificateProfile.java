package dev.homecluster.pki;

import java.util.List;
import java.util.Objects;

/**
 * What a leaf certificate must say: subject, subject alternative names and extended key usages. The
 * renewal check compares an existing certificate with its profile, so a profile that grows (a new
 * master, a changed VIP) causes a re-issue.
 *
 * @param commonName subject CN (Kubernetes reads it as the user name of a client certificate)
 * @param organizations subject O values (Kubernetes reads them as groups), in order
 * @param dnsNames DNS SANs
 * @param ipAddresses IP SANs, as text
 * @param serverAuth whether the certificate may serve TLS
 * @param clientAuth whether the certificate may authenticate a TLS client
 */
public record CertificateProfile(
    String commonName,
    List<String> organizations,
    List<String> dnsNames,
    List<String> ipAddresses,
    boolean serverAuth,
    boolean clientAuth) {

  public CertificateProfile {
    Objects.requireNonNull(commonName, "commonName");
    organizations = List.copyOf(organizations);
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
    if (!serverAuth && !clientAuth) {
      throw new IllegalArgumentException(commonName + ": a leaf needs serverAuth or clientAuth");
    }
  }

  /** A client certificate without SANs. */
  public static CertificateProfile client(String commonName, String... organizations) {
    return new CertificateProfile(
        commonName, List.of(organizations), List.of(), List.of(), false, true);
  }

  /** The subject as RFC 4514 text, for messages. */
  public String subject() {
    StringBuilder subject = new StringBuilder("CN=").append(commonName);
    organizations.forEach(o -> subject.append(",O=").append(o));
    return subject.toString();
  }
}
