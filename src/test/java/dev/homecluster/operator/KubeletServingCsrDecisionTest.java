package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.operator.KubeletServingCsrDecision.Decision;
import dev.homecluster.operator.KubeletServingCsrDecision.Verdict;
import dev.homecluster.pki.EcKeyPairs;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

/** Real CSRs, made as a kubelet makes them, against the documented HomeCluster. */
class KubeletServingCsrDecisionTest {
  private static final HomeCluster HOME = Examples.load(Examples.HOME);
  private static final List<String> SERVING = List.of("digital signature", "server auth");

  @Test
  void aNodesOwnServingCertificateIsApproved() throws Exception {
    Decision decision = KubeletServingCsrDecision.decide(
        csr("master-1", "system:node:master-1", List.of("master-1"), List.of("192.168.1.111"), SERVING), HOME);

    assertThat(decision.verdict()).isEqualTo(Verdict.APPROVE);
    assertThat(decision.reason()).contains("master-1", "192.168.1.111");
  }

  @Test
  void keyEnciphermentIsAllowedToo() throws Exception {
    List<String> usages = List.of("digital signature", "key encipherment", "server auth");
    assertThat(KubeletServingCsrDecision.decide(
        csr("worker-2", "system:node:worker-2", List.of("worker-2"), List.of("192.168.1.132"), usages), HOME).verdict())
        .isEqualTo(Verdict.APPROVE);
  }

  @Test
  void anotherNodesAddressIsDenied() throws Exception {
    Decision decision = KubeletServingCsrDecision.decide(
        csr("master-1", "system:node:master-1", List.of("master-1"), List.of("192.168.1.112"), SERVING), HOME);

    assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
    assertThat(decision.reason()).contains("IP address 192.168.1.112 is not the node's");
  }

  @Test
  void anExtraDnsNameIsDenied() throws Exception {
    Decision decision = KubeletServingCsrDecision.decide(
        csr("master-1", "system:node:master-1", List.of("master-1", "kubernetes.default"), List.of("192.168.1.111"), SERVING),
        HOME);

    assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
    assertThat(decision.reason()).contains("DNS name kubernetes.default is not the node's");
  }

  @Test
  void aNodeAskingForAnotherNodesNameIsDenied() throws Exception {
    Decision decision = KubeletServingCsrDecision.decide(
        csr("master-1", "system:node:master-2", List.of("master-2"), List.of("192.168.1.112"), SERVING), HOME);

    assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
    assertThat(decision.reason()).contains("subject CN [system:node:master-2] is not system:node:master-1");
  }

  @Test
  void clientAuthIsDenied() throws Exception {
    Decision decision = KubeletServingCsrDecision.decide(
        csr("master-1", "system:node:master-1", List.of("master-1"), List.of("192.168.1.111"),
            List.of("digital signature", "server auth", "client auth")), HOME);

    assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
    assertThat(decision.reason()).contains("usage client auth is not allowed");
  }

  @Test
  void aRequesterThatIsNotANodeIsLeftAlone() throws Exception {
    CertificateSigningRequest csr =
        csr("master-1", "system:node:master-1", List.of("master-1"), List.of("192.168.1.111"), SERVING);
    csr.getSpec().setUsername("alice");
    csr.getSpec().setGroups(List.of("system:authenticated"));

    Decision decision = KubeletServingCsrDecision.decide(csr, HOME);
    assertThat(decision.verdict()).isEqualTo(Verdict.IGNORE);
    assertThat(decision.reason()).contains("requester alice");
  }

  @Test
  void aNodeNotInTheSpecIsLeftAlone() throws Exception {
    Decision decision = KubeletServingCsrDecision.decide(
        csr("laptop", "system:node:laptop", List.of("laptop"), List.of("192.168.1.50"), SERVING), HOME);

    assertThat(decision.verdict()).isEqualTo(Verdict.IGNORE);
    assertThat(decision.reason()).contains("node laptop is not in the spec");
  }

  @Test
  void anotherSignerIsLeftAlone() throws Exception {
    CertificateSigningRequest csr =
        csr("master-1", "system:node:master-1", List.of("master-1"), List.of("192.168.1.111"), SERVING);
    csr.getSpec().setSignerName("kubernetes.io/kube-apiserver-client-kubelet");

    Decision decision = KubeletServingCsrDecision.decide(csr, HOME);
    assertThat(decision.verdict()).isEqualTo(Verdict.IGNORE);
    assertThat(decision.reason()).contains("is not kubernetes.io/kubelet-serving");
  }

  @Test
  void anAlreadyApprovedRequestIsLeftAlone() throws Exception {
    CertificateSigningRequest csr =
        csr("master-1", "system:node:master-1", List.of("master-1"), List.of("192.168.1.111"), SERVING);
    csr.setStatus(new io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestStatusBuilder()
        .addNewCondition().withType("Approved").withStatus("True").endCondition().build());

    assertThat(KubeletServingCsrDecision.decide(csr, HOME).verdict()).isEqualTo(Verdict.IGNORE);
  }

  @Test
  void garbageIsDenied() throws Exception {
    CertificateSigningRequest csr =
        csr("master-1", "system:node:master-1", List.of("master-1"), List.of("192.168.1.111"), SERVING);
    csr.getSpec().setRequest(Base64.getEncoder().encodeToString("not a csr".getBytes(StandardCharsets.US_ASCII)));

    assertThat(KubeletServingCsrDecision.decide(csr, HOME).verdict()).isEqualTo(Verdict.DENY);
  }

  /** A kubelet-serving CSR from {@code system:node:<requester>} for the given subject and names. */
  static CertificateSigningRequest csr(String requester, String commonName, List<String> dnsNames, List<String> ips,
      List<String> usages) throws Exception {
    return new CertificateSigningRequestBuilder()
        .withNewMetadata().withName("csr-" + requester).endMetadata()
        .withNewSpec()
        .withSignerName(KubeletServingCsrDecision.SIGNER)
        .withUsername("system:node:" + requester)
        .withGroups("system:nodes", "system:authenticated")
        .withUsages(usages)
        .withRequest(Base64.getEncoder().encodeToString(pem(commonName, dnsNames, ips).getBytes(StandardCharsets.US_ASCII)))
        .endSpec()
        .build();
  }

  /** A PEM CERTIFICATE REQUEST, O=system:nodes, CN=commonName, signed with a fresh EC key. */
  static String pem(String commonName, List<String> dnsNames, List<String> ips) throws Exception {
    KeyPair keys = EcKeyPairs.generate(new SecureRandom());
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    for (String ip : ips) {
      names.add(new GeneralName(GeneralName.iPAddress, new org.bouncycastle.asn1.DEROctetString(
          InetAddress.getByName(ip).getAddress())));
    }
    ExtensionsGenerator extensions = new ExtensionsGenerator();
    extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
    var request = new JcaPKCS10CertificationRequestBuilder(
            new X500Name("O=system:nodes,CN=" + commonName), keys.getPublic())
        .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(request);
    }
    return out.toString();
  }
}
