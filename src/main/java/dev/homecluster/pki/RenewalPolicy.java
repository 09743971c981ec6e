package dev.homecluster.pki;

import dev.homecluster.api.v1alpha1.CertificatesSpec;
import dev.homecluster.net.Addresses;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * When a certificate must be replaced. Leaves: when less than {@code renewBeforeDays} remain, when
 * the current CA did not sign them, or when they no longer say what their profile needs (subject, a
 * SAN, an extended key usage). CAs: re-signed with the same key once less than {@link
 * #caRenewWindow} remains.
 */
public final class RenewalPolicy {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;

  private final Duration leafValidity;
  private final Duration renewBefore;
  private final Duration caValidity;

  public RenewalPolicy(Duration leafValidity, Duration renewBefore, Duration caValidity) {
    this.leafValidity = leafValidity;
    this.renewBefore = renewBefore;
    this.caValidity = caValidity;
  }

  /** The policy of {@code spec.controlPlane.certificates}. */
  public static RenewalPolicy of(CertificatesSpec spec) {
    CertificatesSpec certs = spec == null ? new CertificatesSpec() : spec;
    return new RenewalPolicy(
        Duration.ofDays(certs.getValidityDays()),
        Duration.ofDays(certs.getRenewBeforeDays()),
        Duration.ofDays(certs.getCaValidityDays()));
  }

  public Duration leafValidity() {
    return leafValidity;
  }

  public Duration caValidity() {
    return caValidity;
  }

  /**
   * How long before its expiry a CA is re-signed: at least a leaf's lifetime (so a leaf issued just
   * before never outlives the CA, and clients have that long to pick up the new ca.crt), but at
   * most half the CA's lifetime, and never less than the leaves' renewal window.
   */
  public Duration caRenewWindow() {
    Duration half = caValidity.dividedBy(2);
    Duration window = leafValidity.compareTo(half) < 0 ? leafValidity : half;
    return window.compareTo(renewBefore) < 0 ? renewBefore : window;
  }

  /** Why the CA certificate must be re-signed now, if it must. */
  public Optional<String> caRenewalReason(CertificateAuthority ca, Instant now) {
    return expiring(ca.certificate(), now, caRenewWindow());
  }

  /** Why the leaf must be re-issued now, if it must. The reason names no key material. */
  public Optional<String> leafReissueReason(
      X509Certificate leaf, CertificateAuthority ca, CertificateProfile profile, Instant now) {
    if (!ca.signed(leaf)) {
      return Optional.of(
          "not signed by the current " + ca.certificate().getSubjectX500Principal().getName());
    }
    Optional<String> expiring = expiring(leaf, now, renewBefore);
    if (expiring.isPresent()) {
      return expiring;
    }
    X500Name subject = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
    if (!profile.commonName().equals(first(subject, BCStyle.CN))
        || !profile.organizations().equals(all(subject, BCStyle.O))) {
      return Optional.of(
          "subject is "
              + leaf.getSubjectX500Principal().getName()
              + ", needs "
              + profile.subject());
    }
    List<String> missing = missingNames(leaf, profile);
    if (!missing.isEmpty()) {
      return Optional.of("missing subject alternative names " + missing);
    }
    List<String> usages = extendedKeyUsages(leaf);
    if ((profile.serverAuth() && !usages.contains(SERVER_AUTH))
        || (profile.clientAuth() && !usages.contains(CLIENT_AUTH))) {
      return Optional.of("missing an extended key usage (serverAuth/clientAuth)");
    }
    return Optional.empty();
  }

  private static Optional<String> expiring(X509Certificate cert, Instant now, Duration window) {
    Instant notAfter = cert.getNotAfter().toInstant();
    if (!notAfter.isAfter(now.plus(window))) {
      return Optional.of(
          "expires "
              + notAfter
              + ", less than "
              + window.toDays()
              + " days from now ("
              + now
              + ")");
    }
    return Optional.empty();
  }

  private static List<String> missingNames(X509Certificate leaf, CertificateProfile profile) {
    Set<String> dns = new LinkedHashSet<>();
    Set<String> ips = new LinkedHashSet<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          int type = (Integer) name.get(0);
          if (type == SAN_DNS) {
            dns.add((String) name.get(1));
          } else if (type == SAN_IP) {
            ips.add(canonicalIp((String) name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return List.of("(unreadable SAN extension)");
    }
    List<String> missing = new ArrayList<>();
    profile.dnsNames().stream().filter(d -> !dns.contains(d)).forEach(missing::add);
    profile.ipAddresses().stream()
        .filter(ip -> !ips.contains(canonicalIp(ip)))
        .forEach(missing::add);
    return missing;
  }

  private static String canonicalIp(String text) {
    return Addresses.parseAddress(text).map(a -> a.toCanonicalString()).orElse(text);
  }

  private static List<String> extendedKeyUsages(X509Certificate leaf) {
    try {
      List<String> usages = leaf.getExtendedKeyUsage();
      return usages == null ? List.of() : usages;
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static String first(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    RDN[] rdns = name.getRDNs(type);
    return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
  }

  private static List<String> all(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    List<String> values = new ArrayList<>();
    for (RDN rdn : name.getRDNs(type)) {
      values.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
    }
    return values;
  }
}
