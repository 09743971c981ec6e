package dev.homecluster.pki;

import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Reading certificates back in tests, independently of the code under test where it matters. */
final class Certs {
  private Certs() {}

  static String file(Secret secret, String key) {
    return SecretFiles.read(secret, key)
        .orElseThrow(
            () -> new AssertionError("no " + key + " in " + secret.getMetadata().getName()));
  }

  static X509Certificate cert(Secret secret, String key) {
    return Pem.certificate(file(secret, key));
  }

  static X509Certificate tls(Map<String, Secret> secrets, String secretName) {
    return cert(secrets.get(secretName), Names.TLS_CERT_KEY);
  }

  static X509Certificate ca(Map<String, Secret> secrets, String secretName) {
    return cert(secrets.get(secretName), Names.CA_CERT_KEY);
  }

  static List<String> dnsNames(X509Certificate cert) {
    return sans(cert, 2);
  }

  static List<String> ipAddresses(X509Certificate cert) {
    return sans(cert, 7);
  }

  static String cn(X509Certificate cert) {
    return values(cert, true).get(0);
  }

  static List<String> organizations(X509Certificate cert) {
    return values(cert, false);
  }

  private static List<String> values(X509Certificate cert, boolean cn) {
    X500Name name = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    List<String> values = new ArrayList<>();
    for (RDN rdn : name.getRDNs(cn ? BCStyle.CN : BCStyle.O)) {
      values.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
    }
    return values;
  }

  private static List<String> sans(X509Certificate cert, int type) {
    try {
      Collection<List<?>> names = cert.getSubjectAlternativeNames();
      if (names == null) {
        return List.of();
      }
      return names.stream()
          .filter(n -> (Integer) n.get(0) == type)
          .map(n -> (String) n.get(1))
          .toList();
    } catch (CertificateParsingException e) {
      throw new AssertionError(e);
    }
  }
}
