package dev.homecluster.pki;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.Names;
import dev.homecluster.secrets.SecretGenerator;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every master's etcd server and peer certificate in one Secret ({@link
 * Names#ETCD_MEMBERS_SECRET}), so the installer DaemonSet mounts one Secret. Each master's pair is
 * checked on its own: a new master gets its certificates, an expiring or changed one is re-issued,
 * the others are kept byte for byte, and a node that is no longer a master loses its entries. The
 * Secret is returned only when some file changed.
 */
public final class EtcdMembersSecretGenerator implements SecretGenerator {
  public static final EtcdMembersSecretGenerator INSTANCE = new EtcdMembersSecretGenerator();

  private record Member(String certFile, String keyFile, CertificateProfile profile) {}

  @Override
  public String name() {
    return "etcd-members";
  }

  @Override
  public List<Secret> generate(
      HomeCluster cluster, Map<String, Secret> existing, Instant now, SecureRandom random) {
    Optional<CertificateAuthority> loaded = CaSecretGenerator.load(existing, Names.ETCD_CA_SECRET);
    if (loaded.isEmpty()) {
      return List.of();
    }
    CertificateAuthority ca = loaded.get();
    RenewalPolicy policy = RenewalPolicy.of(cluster.getSpec().getControlPlane().getCertificates());
    Secret secret = existing.get(Names.ETCD_MEMBERS_SECRET);
    Map<String, String> old = SecretFiles.readAll(secret);

    Map<String, String> files = new TreeMap<>();
    files.put(Names.CA_CERT_KEY, ca.certificatePem());
    List<String> reasons = new ArrayList<>();
    for (NodeSpec master : ClusterCertificates.masters(cluster.getSpec())) {
      for (Member member : members(master)) {
        String certPem = old.get(member.certFile());
        String keyPem = old.get(member.keyFile());
        String reason =
            LeafSecretGenerator.reissueReason(
                certPem, keyPem, ca, member.profile(), policy, now, secret != null);
        if (reason == null) {
          files.put(member.certFile(), certPem);
          files.put(member.keyFile(), keyPem);
        } else {
          IssuedCertificate issued = ca.issue(member.profile(), now, policy.leafValidity(), random);
          files.put(member.certFile(), issued.certificatePem());
          files.put(member.keyFile(), issued.privateKeyPem());
          reasons.add(member.certFile() + ": " + reason);
        }
      }
    }
    if (files.equals(old)) {
      return List.of();
    }
    if (secret == null) {
      reasons = List.of("created");
    } else if (reasons.isEmpty()) {
      reasons.add("ca.crt or the set of masters changed");
    }
    return List.of(
        SecretFiles.secret(
            Names.ETCD_MEMBERS_SECRET,
            SecretFiles.typeOf(secret, SecretFiles.OPAQUE),
            files,
            String.join("; ", reasons)));
  }

  private static List<Member> members(NodeSpec master) {
    String node = master.getName();
    return List.of(
        new Member(
            Names.etcdMemberKey(node, Names.ETCD_SERVER_CERT_FILE),
            Names.etcdMemberKey(node, Names.ETCD_SERVER_KEY_FILE),
            ClusterCertificates.etcdServer(master)),
        new Member(
            Names.etcdMemberKey(node, Names.ETCD_PEER_CERT_FILE),
            Names.etcdMemberKey(node, Names.ETCD_PEER_KEY_FILE),
            ClusterCertificates.etcdPeer(master)));
  }

  @Override
  public String toString() {
    return "EtcdMembersSecretGenerator[" + Names.ETCD_MEMBERS_SECRET + "]";
  }
}
