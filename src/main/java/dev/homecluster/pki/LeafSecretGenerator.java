package dev.homecluster.pki;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.render.Names;
import dev.homecluster.secrets.SecretGenerator;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One leaf certificate in a Secret ({@code tls.crt}, {@code tls.key}, and {@code ca.crt} when the
 * consumer needs its issuer). Issued when missing or unreadable, re-issued when {@link
 * RenewalPolicy} says so (expiring, not signed by the current CA, a SAN or usage the spec now needs
 * is missing); {@code ca.crt} alone is refreshed when the CA was re-signed. Until its CA Secret
 * exists it returns nothing: {@link dev.homecluster.secrets.SecretGenerators#generateAll} runs the
 * CAs first in the same pass.
 */
public final class LeafSecretGenerator implements SecretGenerator {
  public static final LeafSecretGenerator APISERVER_SERVING =
      new LeafSecretGenerator(
          "apiserver-serving",
          Names.APISERVER_SERVING_SECRET,
          Names.CLUSTER_CA_SECRET,
          ClusterCertificates::apiServerServing,
          true);
  public static final LeafSecretGenerator APISERVER_KUBELET_CLIENT =
      new LeafSecretGenerator(
          "apiserver-kubelet-client",
          Names.APISERVER_KUBELET_CLIENT_SECRET,
          Names.CLUSTER_CA_SECRET,
          spec -> ClusterCertificates.apiServerKubeletClient(),
          false);
  public static final LeafSecretGenerator APISERVER_ETCD_CLIENT =
      new LeafSecretGenerator(
          "apiserver-etcd-client",
          Names.APISERVER_ETCD_CLIENT_SECRET,
          Names.ETCD_CA_SECRET,
          spec -> ClusterCertificates.apiServerEtcdClient(),
          true);
  public static final LeafSecretGenerator FRONT_PROXY_CLIENT =
      new LeafSecretGenerator(
          "front-proxy-client",
          Names.FRONT_PROXY_CLIENT_SECRET,
          Names.FRONT_PROXY_CA_SECRET,
          spec -> ClusterCertificates.frontProxyClient(),
          false);
  /** kube-controller-manager authenticates as the user {@code system:kube-controller-manager}. */
  public static final LeafSecretGenerator CONTROLLER_MANAGER_CLIENT =
      new LeafSecretGenerator(
          "controller-manager-client",
          Names.CONTROLLER_MANAGER_CLIENT_SECRET,
          Names.CLUSTER_CA_SECRET,
          spec -> ClusterCertificates.controllerManager(),
          false);
  /** kube-scheduler authenticates as the user {@code system:kube-scheduler}. */
  public static final LeafSecretGenerator SCHEDULER_CLIENT =
      new LeafSecretGenerator(
          "scheduler-client",
          Names.SCHEDULER_CLIENT_SECRET,
          Names.CLUSTER_CA_SECRET,
          spec -> ClusterCertificates.scheduler(),
          false);
  public static final LeafSecretGenerator ETCD_CLIENT =
      new LeafSecretGenerator(
          "etcd-client",
          Names.ETCD_CLIENT_SECRET,
          Names.ETCD_CA_SECRET,
          spec -> ClusterCertificates.etcdClient(),
          true);

  private final String name;
  private final String secretName;
  private final String caSecretName;
  private final Function<HomeClusterSpec, CertificateProfile> profile;
  private final boolean includeCa;

  public LeafSecretGenerator(
      String name,
      String secretName,
      String caSecretName,
      Function<HomeClusterSpec, CertificateProfile> profile,
      boolean includeCa) {
    this.name = name;
    this.secretName = secretName;
    this.caSecretName = caSecretName;
    this.profile = profile;
    this.includeCa = includeCa;
  }

  @Override
  public String name() {
    return name;
  }

  public String secretName() {
    return secretName;
  }

  /** The profile this generator issues for a spec. */
  public CertificateProfile profile(HomeClusterSpec spec) {
    return profile.apply(spec);
  }

  @Override
  public List<Secret> generate(
      HomeCluster cluster, Map<String, Secret> existing, Instant now, SecureRandom random) {
    Optional<CertificateAuthority> loaded = CaSecretGenerator.load(existing, caSecretName);
    if (loaded.isEmpty()) {
      return List.of();
    }
    CertificateAuthority ca = loaded.get();
    HomeClusterSpec spec = cluster.getSpec();
    RenewalPolicy policy = RenewalPolicy.of(spec.getControlPlane().getCertificates());
    CertificateProfile wanted = profile.apply(spec);
    Secret secret = existing.get(secretName);
    Map<String, String> files = SecretFiles.readAll(secret);

    String reason = reissueReason(files, ca, wanted, policy, now, secret != null);
    if (reason != null) {
      IssuedCertificate issued = ca.issue(wanted, now, policy.leafValidity(), random);
      Map<String, String> fresh = new TreeMap<>();
      fresh.put(Names.TLS_CERT_KEY, issued.certificatePem());
      fresh.put(Names.TLS_PRIVATE_KEY_KEY, issued.privateKeyPem());
      if (includeCa) {
        fresh.put(Names.CA_CERT_KEY, ca.certificatePem());
      }
      return List.of(
          SecretFiles.secret(
              secretName, SecretFiles.typeOf(secret, SecretFiles.TLS), fresh, reason));
    }
    if (includeCa && !sameCertificate(files.get(Names.CA_CERT_KEY), ca.certificate())) {
      Map<String, String> updated = new TreeMap<>(files);
      updated.put(Names.CA_CERT_KEY, ca.certificatePem());
      return List.of(
          SecretFiles.secret(
              secretName,
              SecretFiles.typeOf(secret, SecretFiles.TLS),
              updated,
              "ca.crt differs from the current CA certificate"));
    }
    return List.of();
  }

  /** Why the certificate in these files must be (re-)issued, or null when it is fine. */
  static String reissueReason(
      Map<String, String> files,
      CertificateAuthority ca,
      CertificateProfile wanted,
      RenewalPolicy policy,
      Instant now,
      boolean exists) {
    return reissueReason(
        files.get(Names.TLS_CERT_KEY),
        files.get(Names.TLS_PRIVATE_KEY_KEY),
        ca,
        wanted,
        policy,
        now,
        exists);
  }

  static String reissueReason(
      String certPem,
      String keyPem,
      CertificateAuthority ca,
      CertificateProfile wanted,
      RenewalPolicy policy,
      Instant now,
      boolean exists) {
    if (!exists || certPem == null || keyPem == null) {
      return "created";
    }
    IssuedCertificate current;
    try {
      current = IssuedCertificate.parse(certPem, keyPem);
    } catch (IllegalArgumentException e) {
      return "the existing certificate is unusable: " + e.getMessage();
    }
    return policy.leafReissueReason(current.certificate(), ca, wanted, now).orElse(null);
  }

  private static boolean sameCertificate(String pem, X509Certificate certificate) {
    if (pem == null) {
      return false;
    }
    try {
      return Pem.certificate(pem).equals(certificate);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "LeafSecretGenerator[" + secretName + " signed by " + caSecretName + "]";
  }
}
