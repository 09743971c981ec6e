package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestSpec;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Whether a CertificateSigningRequest is a kubelet's request for its serving certificate that the
 * operator may approve: signer {@value #SIGNER}, requested by {@code system:node:<name>} (group
 * {@code system:nodes}) with {@code <name>} a node of the HomeCluster, for subject
 * {@code CN=system:node:<name>, O=system:nodes}, with DNS and IP names only that node's name and
 * address, and usages only digital signature, server auth and (optionally) key encipherment.
 *
 * <p>Pure: no client. Requests of other signers or from requesters that are not a node of the
 * spec are ignored (someone else may decide); a node of the spec asking for more than its own
 * serving certificate is denied.
 */
public final class KubeletServingCsrDecision {
  public static final String SIGNER = "kubernetes.io/kubelet-serving";
  static final String NODE_PREFIX = "system:node:";
  static final String NODES_GROUP = "system:nodes";
  private static final Set<String> REQUIRED_USAGES = Set.of("digital signature", "server auth");
  private static final Set<String> ALLOWED_USAGES = Set.of("digital signature", "server auth", "key encipherment");

  public enum Verdict { APPROVE, DENY, IGNORE }

  /** What to do with a CSR, and why (the text of the condition or the event). */
  public record Decision(Verdict verdict, String reason) {
    static Decision approve(String reason) {
      return new Decision(Verdict.APPROVE, reason);
    }

    static Decision deny(String reason) {
      return new Decision(Verdict.DENY, reason);
    }

    static Decision ignore(String reason) {
      return new Decision(Verdict.IGNORE, reason);
    }
  }

  private KubeletServingCsrDecision() {}

  public static Decision decide(CertificateSigningRequest csr, HomeCluster cluster) {
    CertificateSigningRequestSpec spec = csr.getSpec();
    if (spec == null || !SIGNER.equals(spec.getSignerName())) {
      return Decision.ignore("signer " + (spec == null ? null : spec.getSignerName()) + " is not " + SIGNER);
    }
    if (decided(csr)) {
      return Decision.ignore("already approved or denied");
    }
    String username = spec.getUsername();
    List<String> groups = spec.getGroups() == null ? List.of() : spec.getGroups();
    if (username == null || !username.startsWith(NODE_PREFIX) || !groups.contains(NODES_GROUP)) {
      return Decision.ignore("requester " + username + " " + groups + " is not a node (system:node:<name> in " + NODES_GROUP + ")");
    }
    String nodeName = username.substring(NODE_PREFIX.length());
    Optional<NodeSpec> node =
        cluster.getSpec() == null
            ? Optional.empty()
            : cluster.getSpec().getNodes().stream().filter(n -> nodeName.equals(n.getName())).findFirst();
    if (node.isEmpty()) {
      return Decision.ignore("node " + nodeName + " is not in the spec of HomeCluster " + cluster.getMetadata().getName());
    }
    List<String> problems = new ArrayList<>();
    List<String> usages = spec.getUsages() == null ? List.of() : spec.getUsages();
    for (String usage : usages) {
      if (!ALLOWED_USAGES.contains(usage)) {
        problems.add("usage " + usage + " is not allowed");
      }
    }
    for (String usage : REQUIRED_USAGES) {
      if (!usages.contains(usage)) {
        problems.add("usage " + usage + " is missing");
      }
    }
    PKCS10CertificationRequest request;
    try {
      request = parse(spec.getRequest());
    } catch (IOException | IllegalArgumentException e) {
      return Decision.deny("the request is not a PEM certificate request: " + e.getMessage());
    }
    try {
      // The public key through its algorithm's JCA name (EC, RSA): the JDK's providers know no
      // KeyFactory by OID.
      java.security.PublicKey key = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(request).getPublicKey();
      if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        return Decision.deny("the request's signature does not verify");
      }
    } catch (OperatorCreationException | PKCSException | java.security.GeneralSecurityException e) {
      return Decision.deny("the request's signature cannot be verified: " + e.getMessage());
    }
    subjectProblems(request.getSubject(), nodeName, problems);
    sanProblems(request, node.get(), problems);
    if (!problems.isEmpty()) {
      return Decision.deny("node " + nodeName + " asked for more than its serving certificate: " + String.join("; ", problems));
    }
    return Decision.approve("serving certificate of node " + nodeName + " (" + node.get().getAddress() + ") of HomeCluster "
        + cluster.getMetadata().getName());
  }

  private static boolean decided(CertificateSigningRequest csr) {
    if (csr.getStatus() == null || csr.getStatus().getConditions() == null) {
      return false;
    }
    for (CertificateSigningRequestCondition condition : csr.getStatus().getConditions()) {
      if (("Approved".equals(condition.getType()) || "Denied".equals(condition.getType()))
          && !"False".equals(condition.getStatus())) {
        return true;
      }
    }
    return false;
  }

  /** spec.request: the PEM, which the API carries base64-encoded. */
  static PKCS10CertificationRequest parse(String request) throws IOException {
    if (request == null) {
      throw new IllegalArgumentException("empty");
    }
    String pem = new String(Base64.getDecoder().decode(request.trim()), StandardCharsets.US_ASCII);
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      if (object instanceof PKCS10CertificationRequest csr) {
        return csr;
      }
      throw new IllegalArgumentException("no CERTIFICATE REQUEST block");
    }
  }

  private static void subjectProblems(X500Name subject, String nodeName, List<String> problems) {
    List<String> commonNames = values(subject, BCStyle.CN);
    List<String> organizations = values(subject, BCStyle.O);
    if (!commonNames.equals(List.of(NODE_PREFIX + nodeName))) {
      problems.add("subject CN " + commonNames + " is not " + NODE_PREFIX + nodeName);
    }
    if (!organizations.equals(List.of(NODES_GROUP))) {
      problems.add("subject O " + organizations + " is not " + NODES_GROUP);
    }
    for (RDN rdn : subject.getRDNs()) {
      ASN1ObjectIdentifier type = rdn.getFirst().getType();
      if (rdn.isMultiValued() || (!type.equals(BCStyle.CN) && !type.equals(BCStyle.O))) {
        problems.add("subject has more than CN and O: " + subject);
        break;
      }
    }
  }

  private static List<String> values(X500Name subject, ASN1ObjectIdentifier type) {
    List<String> result = new ArrayList<>();
    for (RDN rdn : subject.getRDNs(type)) {
      result.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
    }
    return result;
  }

  private static void sanProblems(PKCS10CertificationRequest request, NodeSpec node, List<String> problems) {
    Set<String> allowedDns = new HashSet<>(Set.of(node.getName()));
    byte[] allowedIp = literalAddress(node.getAddress());
    if (allowedIp == null && node.getAddress() != null) {
      allowedDns.add(node.getAddress());
    }
    int names = 0;
    for (GeneralName name : subjectAlternativeNames(request)) {
      names++;
      switch (name.getTagNo()) {
        case GeneralName.dNSName -> {
          String dns = IETFUtils.valueToString(name.getName());
          if (!allowedDns.contains(dns)) {
            problems.add("DNS name " + dns + " is not the node's");
          }
        }
        case GeneralName.iPAddress -> {
          byte[] ip = DEROctetString.getInstance(name.getName()).getOctets();
          if (allowedIp == null || !java.util.Arrays.equals(ip, allowedIp)) {
            problems.add("IP address " + format(ip) + " is not the node's (" + node.getAddress() + ")");
          }
        }
        default -> problems.add("subject alternative name of type " + name.getTagNo() + " is not allowed");
      }
    }
    if (names == 0) {
      problems.add("no DNS or IP subject alternative name");
    }
  }

  private static List<GeneralName> subjectAlternativeNames(PKCS10CertificationRequest request) {
    List<GeneralName> result = new ArrayList<>();
    for (Attribute attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (ASN1Encodable value : attribute.getAttributeValues()) {
        Extensions extensions = Extensions.getInstance(value);
        GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        if (names != null) {
          result.addAll(List.of(names.getNames()));
        }
      }
    }
    return result;
  }

  /** The bytes of an IP literal; null for a host name (never resolved). */
  private static byte[] literalAddress(String address) {
    if (address == null || !(address.matches("[0-9.]+") || address.contains(":"))) {
      return null;
    }
    try {
      return InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String format(byte[] ip) {
    try {
      return InetAddress.getByAddress(ip).getHostAddress();
    } catch (UnknownHostException e) {
      return java.util.HexFormat.of().formatHex(ip);
    }
  }
}
