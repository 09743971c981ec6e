package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.operator.KubeletServingCsrDecision.Decision;
import dev.homecluster.operator.KubeletServingCsrDecision.Verdict;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile step that approves the kubelets' serving-certificate CSRs of the HomeCluster's
 * nodes ({@link KubeletServingCsrDecision}): kube-controller-manager then signs them with the
 * cluster CA, which kube-apiserver trusts for kubelets ({@code --kubelet-certificate-authority}).
 * Forged requests of a node are denied; anything else is left alone. A Normal event per approval,
 * a Warning per denial.
 */
final class KubeletServingApprover {
  static final String REASON_APPROVED = "KubeletServingCertificateApproved";
  static final String REASON_DENIED = "KubeletServingCertificateDenied";
  private static final Logger log = LoggerFactory.getLogger(KubeletServingApprover.class);

  private final KubernetesClient client;
  private final ClusterEvents events;

  KubeletServingApprover(KubernetesClient client, ClusterEvents events) {
    this.client = client;
    this.events = events;
  }

  /** Decides each pending CSR among {@code csrs} and writes the approvals and denials; returns how many. */
  int decide(HomeCluster cluster, List<CertificateSigningRequest> csrs) {
    int decided = 0;
    for (CertificateSigningRequest csr : csrs) {
      Decision decision = KubeletServingCsrDecision.decide(csr, cluster);
      if (decision.verdict() == Verdict.IGNORE) {
        continue;
      }
      String name = csr.getMetadata().getName();
      boolean approve = decision.verdict() == Verdict.APPROVE;
      CertificateSigningRequestCondition condition = new CertificateSigningRequestConditionBuilder()
          .withType(approve ? "Approved" : "Denied")
          .withStatus("True")
          .withReason(approve ? "HomeClusterApproved" : "HomeClusterDenied")
          .withMessage(decision.reason())
          .build();
      try {
        if (approve) {
          client.certificates().v1().certificateSigningRequests().withName(name).approve(condition);
        } else {
          client.certificates().v1().certificateSigningRequests().withName(name).deny(condition);
        }
      } catch (KubernetesClientException e) {
        // Gone, or decided by someone else meanwhile: the informer brings the next state.
        log.warn("cannot {} CSR {}: {}", approve ? "approve" : "deny", name, e.getMessage());
        continue;
      }
      decided++;
      log.info("{} CSR {}: {}", approve ? "approved" : "denied", name, decision.reason());
      events.emit(cluster, approve ? ClusterEvents.NORMAL : ClusterEvents.WARNING,
          approve ? REASON_APPROVED : REASON_DENIED, "CSR " + name + ": " + decision.reason());
    }
    return decided;
  }
}
