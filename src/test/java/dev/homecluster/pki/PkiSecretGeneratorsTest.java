package dev.homecluster.pki;

import static dev.homecluster.pki.Certs.ca;
import static dev.homecluster.pki.Certs.cert;
import static dev.homecluster.pki.Certs.cn;
import static dev.homecluster.pki.Certs.dnsNames;
import static dev.homecluster.pki.Certs.file;
import static dev.homecluster.pki.Certs.ipAddresses;
import static dev.homecluster.pki.Certs.organizations;
import static dev.homecluster.pki.Certs.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Names;
import dev.homecluster.secrets.SecretGenerators;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PkiSecretGeneratorsTest {
  private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final List<String> ALL_SECRETS =
      List.of(
          Names.CLUSTER_CA_SECRET,
          Names.ETCD_CA_SECRET,
          Names.FRONT_PROXY_CA_SECRET,
          Names.SERVICE_ACCOUNT_KEY_SECRET,
          Names.ENCRYPTION_CONFIG_SECRET,
          Names.APISERVER_SERVING_SECRET,
          Names.APISERVER_KUBELET_CLIENT_SECRET,
          Names.APISERVER_ETCD_CLIENT_SECRET,
          Names.FRONT_PROXY_CLIENT_SECRET,
          Names.CONTROLLER_MANAGER_CLIENT_SECRET,
          Names.SCHEDULER_CLIENT_SECRET,
          Names.ETCD_CLIENT_SECRET,
          Names.ETCD_MEMBERS_SECRET,
          Names.VRRP_AUTH_SECRET);

  private final SecureRandom random = new SecureRandom();
  private final HomeCluster home = Examples.load(Examples.HOME);

  private Map<String, Secret> generate(
      HomeCluster cluster, Map<String, Secret> existing, Instant now) {
    return SecretGenerators.generateAll(cluster, existing, now, random);
  }

  /** What the cluster holds after applying the changed Secrets on top of the existing ones. */
  private static Map<String, Secret> applied(
      Map<String, Secret> existing, Map<String, Secret> changed) {
    Map<String, Secret> result = new HashMap<>(existing);
    result.putAll(changed);
    return result;
  }

  private Map<String, Secret> bootstrapped(HomeCluster cluster) {
    return generate(cluster, Map.of(), T0);
  }

  @Test
  void firstPassCreatesEverySecretWithExactlyTheDocumentedKeys() {
    Map<String, Secret> secrets = bootstrapped(home);

    assertThat(secrets.keySet()).containsExactlyElementsOf(ALL_SECRETS);
    assertThat(secrets.values())
        .allSatisfy(
            s ->
                assertThat(s.getMetadata().getNamespace()).isEqualTo(Names.CONTROL_PLANE_NAMESPACE))
        .allSatisfy(
            s ->
                assertThat(s.getMetadata().getAnnotations())
                    .containsEntry(Names.GENERATED_REASON_ANNOTATION, "created"));
    for (String ca :
        List.of(Names.CLUSTER_CA_SECRET, Names.ETCD_CA_SECRET, Names.FRONT_PROXY_CA_SECRET)) {
      assertThat(secrets.get(ca).getData()).containsOnlyKeys("ca.crt", "ca.key");
    }
    assertThat(secrets.get(Names.SERVICE_ACCOUNT_KEY_SECRET).getData())
        .containsOnlyKeys("sa.key", "sa.pub");
    assertThat(secrets.get(Names.ENCRYPTION_CONFIG_SECRET).getData())
        .containsOnlyKeys("encryption-config.yaml");
    assertThat(secrets.get(Names.APISERVER_SERVING_SECRET).getData())
        .containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
    assertThat(secrets.get(Names.APISERVER_ETCD_CLIENT_SECRET).getData())
        .containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
    assertThat(secrets.get(Names.ETCD_CLIENT_SECRET).getData())
        .containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
    assertThat(secrets.get(Names.APISERVER_KUBELET_CLIENT_SECRET).getData())
        .containsOnlyKeys("tls.crt", "tls.key");
    assertThat(secrets.get(Names.FRONT_PROXY_CLIENT_SECRET).getData())
        .containsOnlyKeys("tls.crt", "tls.key");
    assertThat(secrets.get(Names.CONTROLLER_MANAGER_CLIENT_SECRET).getData())
        .containsOnlyKeys("tls.crt", "tls.key");
    assertThat(secrets.get(Names.SCHEDULER_CLIENT_SECRET).getData())
        .containsOnlyKeys("tls.crt", "tls.key");
    assertThat(secrets.get(Names.APISERVER_SERVING_SECRET).getType())
        .isEqualTo("kubernetes.io/tls");
    assertThat(file(secrets.get(Names.CLUSTER_CA_SECRET), "ca.key"))
        .startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(file(secrets.get(Names.SERVICE_ACCOUNT_KEY_SECRET), "sa.pub"))
        .startsWith("-----BEGIN PUBLIC KEY-----");
  }

  @Test
  void secondPassChangesNothing() {
    Map<String, Secret> secrets = bootstrapped(home);

    assertThat(generate(home, secrets, T0)).isEmpty();
    assertThat(generate(home, secrets, T0.plus(Duration.ofDays(300)))).isEmpty();
    for (var generator : SecretGenerators.ALL) {
      assertThat(generator.generate(home, secrets, T0, random)).as(generator.name()).isEmpty();
    }
  }

  @Test
  void certificateAuthoritiesAreSelfSignedCasWithTheirOwnKeys() throws Exception {
    Map<String, Secret> secrets = bootstrapped(home);

    X509Certificate cluster = ca(secrets, Names.CLUSTER_CA_SECRET);
    X509Certificate etcd = ca(secrets, Names.ETCD_CA_SECRET);
    X509Certificate frontProxy = ca(secrets, Names.FRONT_PROXY_CA_SECRET);
    assertThat(List.of(cn(cluster), cn(etcd), cn(frontProxy)))
        .containsExactly("kubernetes-ca", "etcd-ca", "front-proxy-ca");
    for (X509Certificate ca : List.of(cluster, etcd, frontProxy)) {
      assertThat(ca.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
      ca.verify(ca.getPublicKey());
      assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
      assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
      assertThat(ca.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofDays(3650)));
    }
    assertThat(Stream.of(cluster, etcd, frontProxy).map(c -> c.getPublicKey()).distinct())
        .hasSize(3);
  }

  @Test
  void apiServerServingCertificateCoversVipMastersKubernetesNamesAndFirstServiceIp()
      throws Exception {
    Map<String, Secret> secrets = bootstrapped(home);
    X509Certificate serving = tls(secrets, Names.APISERVER_SERVING_SECRET);

    assertThat(ipAddresses(serving))
        .containsExactlyInAnyOrder(
            "192.168.1.100",
            "192.168.1.111",
            "192.168.1.112",
            "192.168.1.113",
            "127.0.0.1",
            "10.96.0.1");
    assertThat(dnsNames(serving))
        .contains(
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local",
            "localhost",
            "master-1",
            "master-2",
            "master-3")
        .doesNotContain("worker-1", "backup-1");
    assertThat(serving.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
    assertThat(serving.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(serving.getBasicConstraints()).isEqualTo(-1);
    assertThat(serving.getIssuerX500Principal())
        .isEqualTo(ca(secrets, Names.CLUSTER_CA_SECRET).getSubjectX500Principal());
    serving.verify(ca(secrets, Names.CLUSTER_CA_SECRET).getPublicKey());
    assertThat(cert(secrets.get(Names.APISERVER_SERVING_SECRET), "ca.crt"))
        .isEqualTo(ca(secrets, Names.CLUSTER_CA_SECRET));
    assertThat(serving.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofDays(365)));
    assertThat(serving.getNotBefore().toInstant()).isBefore(T0);
  }

  @Test
  void servingCertificateFollowsTheServiceCidrAndClusterDomain() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getNetwork().setServiceCIDR("172.20.0.0/16");
    cluster.getSpec().getNetwork().setClusterDomain("home.arpa");

    X509Certificate serving = tls(bootstrapped(cluster), Names.APISERVER_SERVING_SECRET);

    assertThat(ipAddresses(serving)).contains("172.20.0.1").doesNotContain("10.96.0.1");
    assertThat(dnsNames(serving)).contains("kubernetes.default.svc.home.arpa");
  }

  @Test
  void clientCertificatesCarryTheirIdentityAndChainToTheRightCa() throws Exception {
    Map<String, Secret> secrets = bootstrapped(home);
    record Client(String secret, String ca, String cn, List<String> groups) {}
    List<Client> clients =
        List.of(
            new Client(
                Names.APISERVER_ETCD_CLIENT_SECRET,
                Names.ETCD_CA_SECRET,
                "kube-apiserver-etcd-client",
                List.of()),
            new Client(
                Names.APISERVER_KUBELET_CLIENT_SECRET,
                Names.CLUSTER_CA_SECRET,
                "kube-apiserver-kubelet-client",
                List.of("system:masters")),
            new Client(
                Names.FRONT_PROXY_CLIENT_SECRET,
                Names.FRONT_PROXY_CA_SECRET,
                "front-proxy-client",
                List.of()),
            new Client(
                Names.ETCD_CLIENT_SECRET,
                Names.ETCD_CA_SECRET,
                "homecluster-etcd-client",
                List.of()),
            // The users Kubernetes' default RBAC binds: no group, so no other permission.
            new Client(
                Names.CONTROLLER_MANAGER_CLIENT_SECRET,
                Names.CLUSTER_CA_SECRET,
                "system:kube-controller-manager",
                List.of()),
            new Client(
                Names.SCHEDULER_CLIENT_SECRET,
                Names.CLUSTER_CA_SECRET,
                "system:kube-scheduler",
                List.of()));
    for (Client client : clients) {
      X509Certificate cert = tls(secrets, client.secret());
      assertThat(cn(cert)).as(client.secret()).isEqualTo(client.cn());
      assertThat(organizations(cert)).as(client.secret()).isEqualTo(client.groups());
      assertThat(cert.getExtendedKeyUsage()).as(client.secret()).containsExactly(CLIENT_AUTH);
      assertThat(cert.getIssuerX500Principal())
          .isEqualTo(ca(secrets, client.ca()).getSubjectX500Principal());
      cert.verify(ca(secrets, client.ca()).getPublicKey());
    }
    assertThat(ca(secrets, Names.APISERVER_ETCD_CLIENT_SECRET))
        .isEqualTo(ca(secrets, Names.ETCD_CA_SECRET));
  }

  @Test
  void etcdMemberCertificatesExistForEveryMasterAndOnlyMasters() throws Exception {
    HomeCluster big = Examples.load(Examples.BIG);
    Map<String, Secret> secrets = bootstrapped(big);
    Secret members = secrets.get(Names.ETCD_MEMBERS_SECRET);
    List<NodeSpec> masters =
        big.getSpec().getNodes().stream().filter(n -> n.has(Role.MASTER)).toList();

    List<String> expectedKeys = new java.util.ArrayList<>(List.of("ca.crt"));
    for (NodeSpec m : masters) {
      Stream.of("server.crt", "server.key", "peer.crt", "peer.key")
          .forEach(f -> expectedKeys.add(m.getName() + "." + f));
    }
    assertThat(members.getData()).containsOnlyKeys(expectedKeys);
    X509Certificate etcdCa = ca(secrets, Names.ETCD_CA_SECRET);
    for (NodeSpec m : masters) {
      for (String kind : List.of("server", "peer")) {
        X509Certificate cert = cert(members, m.getName() + "." + kind + ".crt");
        assertThat(cn(cert)).isEqualTo(m.getName());
        assertThat(dnsNames(cert)).containsExactlyInAnyOrder(m.getName(), "localhost");
        assertThat(ipAddresses(cert)).containsExactlyInAnyOrder(m.getAddress(), "127.0.0.1");
        assertThat(cert.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
        cert.verify(etcdCa.getPublicKey());
        assertThat(
                IssuedCertificate.parse(
                    file(members, m.getName() + "." + kind + ".crt"),
                    file(members, m.getName() + "." + kind + ".key")))
            .isNotNull();
      }
    }
    assertThat(cert(members, "ca.crt")).isEqualTo(etcdCa);
  }

  @Test
  void leavesAreRenewedInsideTheRenewWindowAndNotBefore() {
    Map<String, Secret> secrets = bootstrapped(home);
    // 365-day leaves, renewed when fewer than 30 days remain.
    Instant outside = T0.plus(Duration.ofDays(334));
    Instant inside = T0.plus(Duration.ofDays(336));

    assertThat(generate(home, secrets, outside)).isEmpty();
    Map<String, Secret> renewed = generate(home, secrets, inside);

    assertThat(renewed.keySet())
        .containsExactlyInAnyOrder(
            Names.APISERVER_SERVING_SECRET, Names.APISERVER_KUBELET_CLIENT_SECRET,
            Names.APISERVER_ETCD_CLIENT_SECRET, Names.FRONT_PROXY_CLIENT_SECRET,
            Names.CONTROLLER_MANAGER_CLIENT_SECRET, Names.SCHEDULER_CLIENT_SECRET,
            Names.ETCD_CLIENT_SECRET, Names.ETCD_MEMBERS_SECRET);
    X509Certificate fresh = tls(renewed, Names.APISERVER_SERVING_SECRET);
    X509Certificate old = tls(secrets, Names.APISERVER_SERVING_SECRET);
    assertThat(fresh.getSerialNumber()).isNotEqualTo(old.getSerialNumber());
    assertThat(fresh.getPublicKey()).isNotEqualTo(old.getPublicKey());
    assertThat(fresh.getNotAfter().toInstant()).isEqualTo(inside.plus(Duration.ofDays(365)));
    assertThat(
            renewed
                .get(Names.APISERVER_SERVING_SECRET)
                .getMetadata()
                .getAnnotations()
                .get(Names.GENERATED_REASON_ANNOTATION))
        .startsWith("expires 2027-01-15T10:00:00Z");
    assertThat(generate(home, applied(secrets, renewed), inside)).isEmpty();
  }

  @Test
  void renewWindowFollowsTheSpec() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getControlPlane().getCertificates().setValidityDays(90);
    cluster.getSpec().getControlPlane().getCertificates().setRenewBeforeDays(10);
    Map<String, Secret> secrets = bootstrapped(cluster);

    assertThat(tls(secrets, Names.ETCD_CLIENT_SECRET).getNotAfter().toInstant())
        .isEqualTo(T0.plus(Duration.ofDays(90)));
    assertThat(generate(cluster, secrets, T0.plus(Duration.ofDays(79)))).isEmpty();
    assertThat(generate(cluster, secrets, T0.plus(Duration.ofDays(81))))
        .containsKey(Names.ETCD_CLIENT_SECRET);
  }

  @Test
  void addingAMasterReissuesTheServingCertificateAndAddsOnlyItsEtcdCertificates() {
    Map<String, Secret> secrets = bootstrapped(home);
    HomeCluster grown = Examples.load(Examples.HOME);
    NodeSpec master4 = new NodeSpec();
    master4.setName("master-4");
    master4.setAddress("192.168.1.114");
    master4.setRoles(List.of(Role.MASTER));
    grown.getSpec().getNodes().add(master4);

    Map<String, Secret> changed = generate(grown, secrets, T0.plus(Duration.ofDays(1)));

    assertThat(changed.keySet())
        .containsExactlyInAnyOrder(Names.APISERVER_SERVING_SECRET, Names.ETCD_MEMBERS_SECRET);
    assertThat(ipAddresses(tls(changed, Names.APISERVER_SERVING_SECRET))).contains("192.168.1.114");
    assertThat(
            changed
                .get(Names.APISERVER_SERVING_SECRET)
                .getMetadata()
                .getAnnotations()
                .get(Names.GENERATED_REASON_ANNOTATION))
        .contains("missing subject alternative names")
        .contains("192.168.1.114");
    Secret before = secrets.get(Names.ETCD_MEMBERS_SECRET);
    Secret after = changed.get(Names.ETCD_MEMBERS_SECRET);
    for (String master : List.of("master-1", "master-2", "master-3")) {
      for (String f : List.of("server.crt", "server.key", "peer.crt", "peer.key")) {
        assertThat(after.getData().get(master + "." + f))
            .as(master + "." + f)
            .isEqualTo(before.getData().get(master + "." + f));
      }
    }
    assertThat(ipAddresses(cert(after, "master-4.server.crt"))).contains("192.168.1.114");
    assertThat(generate(grown, applied(secrets, changed), T0.plus(Duration.ofDays(1)))).isEmpty();
  }

  @Test
  void removingAMasterDropsItsEtcdCertificatesButKeepsTheServingCertificate() {
    Map<String, Secret> secrets = bootstrapped(home);
    HomeCluster shrunk = Examples.load(Examples.HOME);
    shrunk.getSpec().getNodes().removeIf(n -> n.getName().equals("master-3"));

    Map<String, Secret> changed = generate(shrunk, secrets, T0);

    assertThat(changed.keySet()).containsExactly(Names.ETCD_MEMBERS_SECRET);
    assertThat(changed.get(Names.ETCD_MEMBERS_SECRET).getData().keySet())
        .noneMatch(k -> k.startsWith("master-3."));
  }

  @Test
  void changingTheVipReissuesTheServingCertificateOnly() {
    Map<String, Secret> secrets = bootstrapped(home);
    HomeCluster moved = Examples.load(Examples.HOME);
    moved.getSpec().getControlPlane().getEndpoint().setVip("192.168.1.99");

    Map<String, Secret> changed = generate(moved, secrets, T0);

    assertThat(changed.keySet()).containsExactly(Names.APISERVER_SERVING_SECRET);
    assertThat(ipAddresses(tls(changed, Names.APISERVER_SERVING_SECRET)))
        .contains("192.168.1.99")
        .doesNotContain("192.168.1.100");
  }

  @Test
  void aLeafWithoutItsUsageOrSignedByAnotherCaIsReissued() {
    Map<String, Secret> secrets = bootstrapped(home);
    CertificateAuthority stranger =
        CertificateAuthority.create("kubernetes-ca", T0, Duration.ofDays(3650), random);
    IssuedCertificate wrongCa =
        stranger.issue(
            ClusterCertificates.apiServerServing(home.getSpec()), T0, Duration.ofDays(365), random);
    IssuedCertificate wrongUsage =
        CaSecretGenerator.load(secrets, Names.CLUSTER_CA_SECRET)
            .orElseThrow()
            .issue(ClusterCertificates.apiServerEtcdClient(), T0, Duration.ofDays(365), random);
    Map<String, Secret> tampered = new HashMap<>(secrets);

    tampered.put(
        Names.APISERVER_SERVING_SECRET, tlsSecret(Names.APISERVER_SERVING_SECRET, wrongCa));
    assertThat(reason(generate(home, tampered, T0), Names.APISERVER_SERVING_SECRET))
        .startsWith("not signed by the current CN=kubernetes-ca");

    tampered.put(
        Names.APISERVER_ETCD_CLIENT_SECRET,
        tlsSecret(Names.APISERVER_ETCD_CLIENT_SECRET, wrongUsage));
    assertThat(reason(generate(home, tampered, T0), Names.APISERVER_ETCD_CLIENT_SECRET))
        .startsWith("not signed by");

    IssuedCertificate serverOnly =
        CaSecretGenerator.load(secrets, Names.ETCD_CA_SECRET)
            .orElseThrow()
            .issue(
                new CertificateProfile(
                    "homecluster-etcd-client", List.of(), List.of(), List.of(), true, false),
                T0,
                Duration.ofDays(365),
                random);
    tampered.put(Names.ETCD_CLIENT_SECRET, tlsSecret(Names.ETCD_CLIENT_SECRET, serverOnly));
    assertThat(reason(generate(home, tampered, T0), Names.ETCD_CLIENT_SECRET))
        .contains("extended key usage");
  }

  @Test
  void aLeafWhoseKeyDoesNotMatchItsCertificateIsReissued() {
    Map<String, Secret> secrets = bootstrapped(home);
    Secret serving = secrets.get(Names.APISERVER_SERVING_SECRET);
    Secret other = secrets.get(Names.ETCD_CLIENT_SECRET);
    Secret mixed =
        new SecretBuilder(serving).addToData("tls.key", other.getData().get("tls.key")).build();

    Map<String, Secret> changed =
        generate(home, applied(secrets, Map.of(Names.APISERVER_SERVING_SECRET, mixed)), T0);

    assertThat(reason(changed, Names.APISERVER_SERVING_SECRET)).contains("does not belong");
  }

  @Test
  void aCaNearItsEndIsReSignedWithTheSameKeyAndItsLeavesKeepVerifying() throws Exception {
    HomeCluster cluster = Examples.load(Examples.HOME);
    var certs = cluster.getSpec().getControlPlane().getCertificates();
    certs.setCaValidityDays(400);
    certs.setValidityDays(400);
    certs.setRenewBeforeDays(10);
    Map<String, Secret> secrets = bootstrapped(cluster);
    // Leaves were capped at the CA's end; the CA is re-signed once fewer than 200 days remain.
    assertThat(tls(secrets, Names.ETCD_CLIENT_SECRET).getNotAfter())
        .isEqualTo(ca(secrets, Names.ETCD_CA_SECRET).getNotAfter());
    assertThat(generate(cluster, secrets, T0.plus(Duration.ofDays(199)))).isEmpty();

    Instant later = T0.plus(Duration.ofDays(201));
    Map<String, Secret> changed = generate(cluster, secrets, later);

    assertThat(changed.keySet())
        .containsExactlyInAnyOrder(
            Names.CLUSTER_CA_SECRET,
            Names.ETCD_CA_SECRET,
            Names.FRONT_PROXY_CA_SECRET,
            // only their ca.crt is refreshed:
            Names.APISERVER_SERVING_SECRET,
            Names.APISERVER_ETCD_CLIENT_SECRET,
            Names.ETCD_CLIENT_SECRET,
            Names.ETCD_MEMBERS_SECRET);
    X509Certificate oldCa = ca(secrets, Names.ETCD_CA_SECRET);
    X509Certificate newCa = ca(changed, Names.ETCD_CA_SECRET);
    assertThat(newCa.getPublicKey()).isEqualTo(oldCa.getPublicKey());
    assertThat(newCa.getSubjectX500Principal()).isEqualTo(oldCa.getSubjectX500Principal());
    assertThat(newCa.getNotAfter().toInstant()).isEqualTo(later.plus(Duration.ofDays(400)));
    assertThat(file(changed.get(Names.ETCD_CA_SECRET), "ca.key"))
        .isEqualTo(file(secrets.get(Names.ETCD_CA_SECRET), "ca.key"));
    assertThat(changed.get(Names.ETCD_CLIENT_SECRET).getData().get("tls.crt"))
        .isEqualTo(secrets.get(Names.ETCD_CLIENT_SECRET).getData().get("tls.crt"));
    tls(secrets, Names.ETCD_CLIENT_SECRET).verify(newCa.getPublicKey());
    assertThat(ca(changed, Names.ETCD_CLIENT_SECRET)).isEqualTo(newCa);
    assertThat(generate(cluster, applied(secrets, changed), later)).isEmpty();
  }

  @Test
  void aDeletedCaIsRecreatedAndEveryLeafItSignedIsReissued() {
    Map<String, Secret> secrets = bootstrapped(home);
    Map<String, Secret> withoutCa = new HashMap<>(secrets);
    withoutCa.remove(Names.CLUSTER_CA_SECRET);

    Map<String, Secret> changed = generate(home, withoutCa, T0.plus(Duration.ofDays(2)));

    assertThat(changed.keySet())
        .containsExactly(
            Names.CLUSTER_CA_SECRET,
            Names.APISERVER_SERVING_SECRET,
            Names.APISERVER_KUBELET_CLIENT_SECRET,
            Names.CONTROLLER_MANAGER_CLIENT_SECRET,
            Names.SCHEDULER_CLIENT_SECRET);
    assertThat(reason(changed, Names.APISERVER_KUBELET_CLIENT_SECRET))
        .startsWith("not signed by the current");
  }

  @Test
  void anUnreadableCaIsNeverOverwritten() {
    Map<String, Secret> secrets = bootstrapped(home);
    Secret broken =
        new SecretBuilder(secrets.get(Names.ETCD_CA_SECRET))
            .addToData(
                "ca.key",
                Base64.getEncoder()
                    .encodeToString(
                        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
                            .getBytes()))
            .build();
    Map<String, Secret> tampered = applied(secrets, Map.of(Names.ETCD_CA_SECRET, broken));

    assertThatThrownBy(() -> generate(home, tampered, T0))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("kube-system/homecluster-etcd-ca")
        .hasMessageContaining("left as it is")
        .hasMessageNotContaining("AAAA");
  }

  @Test
  void serviceAccountKeysAndEncryptionConfigAreKeptAndCheckedNotReplaced() {
    Map<String, Secret> secrets = bootstrapped(home);
    Secret sa = secrets.get(Names.SERVICE_ACCOUNT_KEY_SECRET);
    assertThat(
            EcKeyPairs.matches(
                Pem.publicKey(file(sa, "sa.pub")), Pem.privateKey(file(sa, "sa.key"))))
        .isTrue();

    Secret otherPub =
        new SecretBuilder(sa)
            .addToData(
                "sa.pub",
                Base64.getEncoder()
                    .encodeToString(Pem.encode(EcKeyPairs.generate(random).getPublic()).getBytes()))
            .build();
    assertThatThrownBy(
            () ->
                generate(
                    home, applied(secrets, Map.of(Names.SERVICE_ACCOUNT_KEY_SECRET, otherPub)), T0))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("sa.pub does not belong to sa.key");

    Secret emptied =
        new SecretBuilder(secrets.get(Names.ENCRYPTION_CONFIG_SECRET)).withData(Map.of()).build();
    assertThatThrownBy(
            () ->
                generate(
                    home, applied(secrets, Map.of(Names.ENCRYPTION_CONFIG_SECRET, emptied)), T0))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("homecluster-encryption-config");
  }

  @Test
  void encryptionConfigEncryptsSecretsWithA32ByteSecretboxKeyAndReadsPlainOnes() throws Exception {
    Map<String, Secret> secrets = bootstrapped(home);
    JsonNode config =
        new ObjectMapper(new YAMLFactory())
            .readTree(file(secrets.get(Names.ENCRYPTION_CONFIG_SECRET), "encryption-config.yaml"));

    assertThat(config.path("apiVersion").asText()).isEqualTo("apiserver.config.k8s.io/v1");
    assertThat(config.path("kind").asText()).isEqualTo("EncryptionConfiguration");
    JsonNode resource = config.path("resources").get(0);
    assertThat(resource.path("resources").get(0).asText()).isEqualTo("secrets");
    JsonNode providers = resource.path("providers");
    assertThat(providers).hasSize(2);
    JsonNode key = providers.get(0).path("secretbox").path("keys").get(0);
    assertThat(key.path("name").asText()).isEqualTo("key-20260115");
    assertThat(Base64.getDecoder().decode(key.path("secret").asText())).hasSize(32);
    assertThat(providers.get(1).has("identity")).isTrue();

    String other =
        file(bootstrapped(home).get(Names.ENCRYPTION_CONFIG_SECRET), "encryption-config.yaml");
    assertThat(other)
        .isNotEqualTo(file(secrets.get(Names.ENCRYPTION_CONFIG_SECRET), "encryption-config.yaml"));
  }

  @Test
  void secretsWrittenAsStringDataAreReadLikeThoseFromTheApiServer() {
    Map<String, Secret> secrets = bootstrapped(home);
    Map<String, Secret> asFiles = new HashMap<>();
    secrets.forEach(
        (name, s) ->
            asFiles.put(
                name,
                new SecretBuilder(s)
                    .withData(null)
                    .withStringData(SecretFiles.readAll(s))
                    .build()));

    assertThat(generate(home, asFiles, T0)).isEmpty();
  }

  @Test
  void valueTypesNeverPrintKeyMaterial() {
    Map<String, Secret> secrets = bootstrapped(home);
    CertificateAuthority ca =
        CaSecretGenerator.load(secrets, Names.CLUSTER_CA_SECRET).orElseThrow();
    IssuedCertificate leaf = ca.issue(ClusterCertificates.admin(), T0, Duration.ofDays(1), random);

    for (Object value : List.of(ca, leaf)) {
      assertThat(value.toString())
          .contains("CN=")
          .doesNotContain("PRIVATE")
          .doesNotContain(
              Base64.getEncoder()
                  .encodeToString(
                      value == ca ? ca.privateKey().getEncoded() : leaf.privateKey().getEncoded())
                  .substring(0, 40))
          .doesNotContain(
              ((java.security.interfaces.ECPrivateKey)
                      (value == ca ? ca.privateKey() : leaf.privateKey()))
                  .getS()
                  .toString());
    }
    SecretGenerators.ALL.forEach(g -> assertThat(g.toString()).doesNotContain("PRIVATE"));
  }

  private static String reason(Map<String, Secret> changed, String secret) {
    assertThat(changed).containsKey(secret);
    return changed
        .get(secret)
        .getMetadata()
        .getAnnotations()
        .get(Names.GENERATED_REASON_ANNOTATION);
  }

  private static Secret tlsSecret(String name, IssuedCertificate issued) {
    return SecretFiles.secret(
        name,
        SecretFiles.TLS,
        Map.of("tls.crt", issued.certificatePem(), "tls.key", issued.privateKeyPem()),
        "test");
  }
}
