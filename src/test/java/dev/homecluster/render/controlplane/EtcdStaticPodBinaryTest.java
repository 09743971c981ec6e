package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.testing.Examples;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts a real etcd with exactly the flags of the rendered static pod (only the data and
 * certificate directories moved to a temporary directory, and the member on 127.0.0.2): etcd
 * accepts every flag, serves TLS with client-certificate authentication, and its health endpoint
 * answers on the metrics URL. Uses the simulated cluster's etcd 3.6 when it is built, else the
 * Debian etcd-server package; skips when neither is installed.
 */
class EtcdStaticPodBinaryTest {
  private static final String MEMBER_ADDRESS = "127.0.0.2";

  @TempDir Path dir;

  private static Path etcdBinary() {
    String simDir = System.getenv("HOMECLUSTER_SIM_DIR");
    Path sim = (simDir != null ? Path.of(simDir) : Examples.repoRoot().resolve(".sim")).resolve("bin/etcd");
    if (Files.isExecutable(sim)) {
      return sim;
    }
    Path debian = Path.of("/usr/bin/etcd");
    return Files.isExecutable(debian) ? debian : null;
  }

  private static String version(Path etcd) throws Exception {
    Process p = new ProcessBuilder(etcd.toString(), "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    // "etcd Version: 3.4.23"
    return out.lines().filter(l -> l.startsWith("etcd Version:")).findFirst().orElseThrow().split(":")[1].trim();
  }

  private static boolean free(String host, int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void etcdAcceptsTheRenderedFlagsAndServesTls() throws Exception {
    Path etcd = etcdBinary();
    assumeTrue(etcd != null, "no etcd binary: build the simulated cluster or install etcd-server");
    assumeTrue(
        free("127.0.0.1", 2379) && free("127.0.0.1", 2381) && free(MEMBER_ADDRESS, 2379) && free(MEMBER_ADDRESS, 2380),
        "etcd's ports 2379-2381 are in use on this machine");
    String version = version(etcd);
    HomeCluster cluster = Examples.load(Examples.ONE_BOX_LAB);
    cluster.getSpec().getControlPlane().getEtcd().setVersion(version + "-0");
    cluster.getSpec().getControlPlane().getEtcd().setDataDir(dir.resolve("data").toString());
    NodeSpec member = new NodeSpec();
    member.setName("lab-1");
    member.setAddress(MEMBER_ADDRESS);
    member.setRoles(List.of(Role.MASTER));
    Path pki = Files.createDirectories(dir.resolve("pki"));
    writeCertificates(pki);

    List<String> command = new ArrayList<>();
    for (String arg : EtcdStaticPod.forMember(cluster.getSpec(), "lab", member, List.of(member), "").getSpec().getContainers().get(0).getCommand()) {
      command.add(arg.replace(EtcdStaticPod.PKI_DIR, pki.toString()));
    }
    command.set(0, etcd.toString());
    Path log = dir.resolve("etcd.log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      // /readyz exists from etcd 3.5.11 on; /health everywhere.
      String path = version.startsWith("3.4") ? "/health" : "/readyz";
      Instant deadline = Instant.now().plusSeconds(30);
      int status = -1;
      while (Instant.now().isBefore(deadline) && process.isAlive()) {
        try {
          status = http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + EtcdStaticPod.METRICS_PORT + path)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
          if (status == 200) {
            break;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(300);
      }
      String output = Files.readString(log);
      assertThat(process.isAlive()).as("etcd %s exited:%n%s", version, output).isTrue();
      assertThat(status).as("GET %s on the metrics URL; etcd log:%n%s", path, output).isEqualTo(200);
      assertThat(output).doesNotContain("flag provided but not defined");
    } finally {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** An etcd CA, and server and peer certificates for the member address, as the PKI issues them. */
  private static void writeCertificates(Path pki) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair ca = generator.generateKeyPair();
    X500Name caName = new X500Name("CN=etcd-ca");
    X509Certificate caCert = certificate(caName, caName, ca, ca.getPrivate(), true);
    write(pki.resolve("ca.crt"), caCert);
    for (String kind : List.of("server", "peer")) {
      KeyPair pair = generator.generateKeyPair();
      write(pki.resolve(kind + ".crt"), certificate(new X500Name("CN=lab-1"), caName, pair, ca.getPrivate(), false));
      write(pki.resolve(kind + ".key"), new JcaPKCS8Generator(pair.getPrivate(), null));
    }
  }

  private static X509Certificate certificate(X500Name subject, X500Name issuer, KeyPair pair, PrivateKey signer, boolean isCa)
      throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), subject, pair.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (!isCa) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, MEMBER_ADDRESS),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.dNSName, "localhost")
          }));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
  }

  private static void write(Path file, Object pem) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(pem);
    }
    Files.writeString(file, out.toString());
  }
}
