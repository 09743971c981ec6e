package dev.homecluster.render.controlplane;

import dev.homecluster.api.v1alpha1.EtcdSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.Images;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The etcd static pod of one master, as kubeadm writes it: TLS between clients and peers with
 * certificate authentication on both, no auto-TLS, an {@code --initial-cluster} naming every
 * master, metrics and health on localhost only, the data on the host.
 *
 * <p>The only renderer of etcd's manifest: {@code render --bootstrap} writes it to each master
 * (with {@link #memberFilesHash} of the files it writes next to it), and the etcd installer
 * DaemonSet writes the same bytes (its ConfigMap holds {@link #MEMBER_FILES_HASH_PLACEHOLDER},
 * which the installer replaces by the same hash of the files it installs). So the installer's
 * first run on a bootstrapped master changes nothing, and a member's manifest changes only with
 * its own certificates, the etcd CA or the spec, never with another Secret.
 *
 * <p>A static pod cannot mount Secrets; the etcd installer DaemonSet writes the certificates to
 * {@link #PKI_DIR} and this manifest to {@link #MANIFEST_PATH}.
 */
public final class EtcdStaticPod {
  public static final String MANIFESTS_DIR = "/etc/kubernetes/manifests";
  public static final String MANIFEST_FILE = "etcd.yaml";
  public static final String MANIFEST_PATH = MANIFESTS_DIR + "/" + MANIFEST_FILE;
  public static final String PKI_DIR = "/etc/kubernetes/pki/etcd";
  public static final int CLIENT_PORT = 2379;
  public static final int PEER_PORT = 2380;
  public static final int METRICS_PORT = 2381;
  /** The files the installer writes to {@link #PKI_DIR}. */
  public static final List<String> PKI_FILES =
      List.of("ca.crt", "server.crt", "server.key", "peer.crt", "peer.key");

  /**
   * Stands for {@link #memberFilesHash} in the manifests of the installer's ConfigMap; the
   * installer replaces it with the hash of the files it installs.
   */
  public static final String MEMBER_FILES_HASH_PLACEHOLDER = "sha256-of-member-files";

  private EtcdStaticPod() {}

  /**
   * The hash the manifest carries in {@link Names#INPUT_HASH_ANNOTATION}: SHA-256 (lowercase hex)
   * of this member's files in {@link #PKI_FILES} order, concatenated. A renewed certificate of
   * this member or a new etcd CA changes it and so restarts this member; nothing else does. The
   * installer computes it with {@code cat ... | sha256sum} over the same bytes.
   */
  public static String memberFilesHash(List<String> contentsInPkiFilesOrder) {
    if (contentsInPkiFilesOrder.size() != PKI_FILES.size()) {
      throw new IllegalArgumentException("expected the " + PKI_FILES.size() + " files " + PKI_FILES);
    }
    try {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      for (String content : contentsInPkiFilesOrder) {
        digest.update(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      return java.util.HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * The manifest of {@code member}.
   *
   * @param spec the HomeCluster spec
   * @param clusterName the HomeCluster's name, etcd's {@code --initial-cluster-token}
   * @param member the master this pod runs on
   * @param masters every master, in spec order: all of them form the initial cluster
   * @param memberFilesHash {@link #memberFilesHash} of this member's files, or {@link
   *     #MEMBER_FILES_HASH_PLACEHOLDER}
   */
  public static Pod forMember(
      HomeClusterSpec spec, String clusterName, NodeSpec member, List<NodeSpec> masters, String memberFilesHash) {
    EtcdSpec etcd = spec.getControlPlane().getEtcd();
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(Names.INPUT_HASH_ANNOTATION, memberFilesHash);
    Map<String, String> labels = new TreeMap<>();
    labels.put("component", Names.ETCD);
    labels.put("tier", "control-plane");
    return new PodBuilder()
        .withNewMetadata()
        .withName(Names.ETCD)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(true)
        .withPriorityClassName("system-node-critical")
        .withNewSecurityContext()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName(Names.ETCD)
        .withImage(image(spec))
        .withImagePullPolicy("IfNotPresent")
        .withCommand(command(etcd, clusterName, member, masters))
        .withNewResources()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("100Mi"))
        .endResources()
        .withNewLivenessProbe()
        .withHttpGet(health("/livez"))
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(15)
        .withFailureThreshold(8)
        .endLivenessProbe()
        .withNewReadinessProbe()
        .withHttpGet(health("/readyz"))
        .withPeriodSeconds(1)
        .withTimeoutSeconds(15)
        .withFailureThreshold(3)
        .endReadinessProbe()
        .withNewStartupProbe()
        .withHttpGet(health("/readyz"))
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(15)
        .withFailureThreshold(24)
        .endStartupProbe()
        .addNewVolumeMount()
        .withName("etcd-data")
        .withMountPath(etcd.getDataDir())
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("etcd-certs")
        .withMountPath(PKI_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("etcd-data")
        .withNewHostPath()
        .withPath(etcd.getDataDir())
        .withType("DirectoryOrCreate")
        .endHostPath()
        .endVolume()
        .addNewVolume()
        .withName("etcd-certs")
        .withNewHostPath()
        .withPath(PKI_DIR)
        .withType("DirectoryOrCreate")
        .endHostPath()
        .endVolume()
        .endSpec()
        .build();
  }

  /** {@code <imageRepository>/etcd:<etcd.version>}. */
  public static String image(HomeClusterSpec spec) {
    return Images.fromRepository(spec, "etcd", spec.getControlPlane().getEtcd().getVersion());
  }

  /** The client URL of a master: {@code https://<address>:2379}. */
  public static String clientUrl(NodeSpec master) {
    return "https://" + UrlHost.of(master.getAddress()) + ":" + CLIENT_PORT;
  }

  private static String peerUrl(NodeSpec master) {
    return "https://" + UrlHost.of(master.getAddress()) + ":" + PEER_PORT;
  }

  private static List<String> command(EtcdSpec etcd, String clusterName, NodeSpec member, List<NodeSpec> masters) {
    String initialCluster =
        masters.stream()
            .map(m -> Names.etcdMemberName(m.getName()) + "=" + peerUrl(m))
            .collect(Collectors.joining(","));
    List<String> command = new ArrayList<>();
    command.add("etcd");
    command.add("--name=" + Names.etcdMemberName(member.getName()));
    command.add("--data-dir=" + etcd.getDataDir());
    command.add("--advertise-client-urls=" + clientUrl(member));
    command.add("--listen-client-urls=https://127.0.0.1:" + CLIENT_PORT + "," + clientUrl(member));
    command.add("--listen-peer-urls=" + peerUrl(member));
    command.add("--initial-advertise-peer-urls=" + peerUrl(member));
    command.add("--initial-cluster=" + initialCluster);
    command.add("--initial-cluster-state=new");
    // Keeps members of another cluster on the same addresses from joining this one.
    command.add("--initial-cluster-token=" + clusterName);
    command.add("--listen-metrics-urls=http://127.0.0.1:" + METRICS_PORT);
    command.add("--client-cert-auth=true");
    command.add("--cert-file=" + PKI_DIR + "/server.crt");
    command.add("--key-file=" + PKI_DIR + "/server.key");
    command.add("--trusted-ca-file=" + PKI_DIR + "/ca.crt");
    command.add("--peer-client-cert-auth=true");
    command.add("--peer-cert-file=" + PKI_DIR + "/peer.crt");
    command.add("--peer-key-file=" + PKI_DIR + "/peer.key");
    command.add("--peer-trusted-ca-file=" + PKI_DIR + "/ca.crt");
    command.add("--snapshot-count=10000");
    if (atLeast36(etcd.getVersion())) {
      // etcd 3.6 dropped the experimental-* flags for plain flags and feature gates.
      command.add("--feature-gates=InitialCorruptCheck=true");
      command.add("--watch-progress-notify-interval=5s");
    } else {
      command.add("--experimental-initial-corrupt-check=true");
      command.add("--experimental-watch-progress-notify-interval=5s");
    }
    return command;
  }

  private static HTTPGetAction health(String path) {
    return new HTTPGetActionBuilder()
        .withHost("127.0.0.1")
        .withPath(path)
        .withPort(new IntOrString(METRICS_PORT))
        .withScheme("HTTP")
        .build();
  }

  /** True for etcd versions 3.6 and later ("3.6.4-0", "3.7.0"). */
  static boolean atLeast36(String version) {
    String[] parts = version.split("[.-]");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major > 3 || (major == 3 && minor >= 6);
    } catch (NumberFormatException e) {
      return true;
    }
  }
}
