package dev.homecluster.bootstrap;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.pki.CaSecretGenerator;
import dev.homecluster.pki.CertificateAuthority;
import dev.homecluster.pki.CertificateProfile;
import dev.homecluster.pki.ClusterCertificates;
import dev.homecluster.pki.IssuedCertificate;
import dev.homecluster.pki.RenewalPolicy;
import dev.homecluster.pki.SecretFiles;
import dev.homecluster.render.ComponentOutput;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderResult;
import dev.homecluster.secrets.SecretGenerators;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything {@code render --bootstrap} writes to bring a cluster up from bare machines, like
 * {@code bootkube render}:
 *
 * <pre>
 * auth/admin.conf                 kubeconfig of the cluster administrator (https://VIP:port)
 * tls/SECRET/KEY                  every generated Secret as files
 * secrets/SECRET.yaml             every generated Secret as an object to kubectl apply
 * etc/kubernetes/                 the first master's /etc/kubernetes: pki/ (kubeadm layout),
 *                                 kubelet.conf, kubelet-config.yaml, controller-manager.conf,
 *                                 scheduler.conf, admin.conf
 * bootstrap-manifests/            the first master's static pods: etcd and the TEMPORARY
 *                                 kube-apiserver, kube-controller-manager, kube-scheduler
 * nodes/NODE/etc/kubernetes/      every other machine's /etc/kubernetes: kubelet.conf,
 *                                 kubelet-config.yaml, pki/ca.crt; masters also pki/etcd/ and
 *                                 manifests/etcd.yaml
 * manifests/NN-COMPONENT.yaml     the full render output: the self-hosted cluster, with the
 *                                 input hashes of the Secrets written here, as the operator
 *                                 computes them
 * </pre>
 *
 * <p>The first master's kubelet and the temporary controller-manager and scheduler talk to the
 * apiserver on that master directly, because the VIP only exists once the endpoint DaemonSet runs;
 * every other kubeconfig uses the VIP.
 */
public final class BootstrapAssets {
  private BootstrapAssets() {}

  /** With a new PKI. */
  public static List<BootstrapFile> build(HomeCluster cluster, Instant now, SecureRandom random) {
    return build(cluster, Map.of(), now, random);
  }

  /**
   * Reusing the given Secrets (kept from an earlier bootstrap, or exported from the cluster being
   * rebuilt): the generators keep what is still valid and make only what is missing, expiring or no
   * longer matching the spec, exactly as the operator would.
   */
  public static List<BootstrapFile> build(
      HomeCluster cluster,
      Map<String, Secret> existing,
      Instant now,
      SecureRandom random) {
    HomeClusterSpec spec = cluster.getSpec();
    String clusterName = cluster.getMetadata().getName();
    Map<String, Secret> secrets = new TreeMap<>(existing);
    secrets.putAll(SecretGenerators.generateAll(cluster, existing, now, random));
    secrets.replaceAll((name, s) -> withBootstrapMetadata(s, clusterName));
    CertificateAuthority ca =
        CaSecretGenerator.load(secrets, Names.CLUSTER_CA_SECRET).orElseThrow();
    RenewalPolicy policy = RenewalPolicy.of(spec.getControlPlane().getCertificates());
    NodeSpec first = ClusterCertificates.masters(spec).get(0);
    int apiServerPort = spec.getControlPlane().getApiServerPort();
    String vipUrl =
        Kubeconfig.url(
            spec.getControlPlane().getEndpoint().getVip(),
            spec.getControlPlane().getEndpoint().getPort());
    String firstMasterUrl = Kubeconfig.url(first.getAddress(), apiServerPort);
    String localUrl = Kubeconfig.url("127.0.0.1", apiServerPort);

    List<BootstrapFile> files = new ArrayList<>();
    secrets.forEach(
        (name, secret) -> {
          files.add(
              new BootstrapFile("secrets/" + name + ".yaml", Manifests.toYaml(List.of(secret))));
          SecretFiles.readAll(secret)
              .forEach(
                  (key, text) -> files.add(new BootstrapFile("tls/" + name + "/" + key, text)));
        });

    String admin =
        kubeconfig(
            clusterName,
            vipUrl,
            ca,
            "kubernetes-admin",
            ClusterCertificates.admin(),
            policy,
            now,
            random);
    files.add(new BootstrapFile("auth/admin.conf", admin));

    // The first master.
    String root = "";
    files.addAll(controlPlanePki(root, secrets));
    files.addAll(etcdPki(root, secrets, first));
    files.add(host(root, HostPaths.ADMIN_KUBECONFIG, admin));
    // The temporary controller-manager and scheduler use the client certificates of the
    // Secrets their self-hosted Deployments mount: one identity each, renewed by the operator.
    files.add(
        host(
            root,
            HostPaths.CONTROLLER_MANAGER_KUBECONFIG,
            Kubeconfig.yaml(
                clusterName,
                localUrl,
                ca.certificatePem(),
                ClusterCertificates.controllerManager().commonName(),
                client(secrets, Names.CONTROLLER_MANAGER_CLIENT_SECRET))));
    files.add(
        host(
            root,
            HostPaths.SCHEDULER_KUBECONFIG,
            Kubeconfig.yaml(
                clusterName,
                localUrl,
                ca.certificatePem(),
                ClusterCertificates.scheduler().commonName(),
                client(secrets, Names.SCHEDULER_CLIENT_SECRET))));
    files.add(
        host(
            root,
            HostPaths.KUBELET_KUBECONFIG,
            kubeconfig(
                clusterName,
                firstMasterUrl,
                ca,
                "kubelet",
                ClusterCertificates.kubelet(first),
                policy,
                now,
                random)));
    files.add(host(root, HostPaths.KUBELET_CONFIG, KubeletConfigFile.yaml(spec)));
    files.add(
        new BootstrapFile(
            "bootstrap-manifests/etcd.yaml",
            Manifests.toYaml(BootstrapEtcdPod.build(clusterName, spec, first, etcdMemberFiles(secrets, first)))));
    files.add(
        new BootstrapFile(
            "bootstrap-manifests/kube-apiserver.yaml",
            Manifests.toYaml(BootstrapApiServerPod.build(spec, first))));
    files.add(
        new BootstrapFile(
            "bootstrap-manifests/kube-controller-manager.yaml",
            Manifests.toYaml(BootstrapControllerManagerPod.build(clusterName, spec))));
    files.add(
        new BootstrapFile(
            "bootstrap-manifests/kube-scheduler.yaml",
            Manifests.toYaml(BootstrapSchedulerPod.build(spec))));

    // Every other machine.
    for (NodeSpec node : spec.getNodes()) {
      if (node == first) {
        continue;
      }
      String nodeRoot = "nodes/" + node.getName() + "/";
      files.add(host(nodeRoot, HostPaths.CA_CERT, ca.certificatePem()));
      files.add(
          host(
              nodeRoot,
              HostPaths.KUBELET_KUBECONFIG,
              kubeconfig(
                  clusterName,
                  vipUrl,
                  ca,
                  "kubelet",
                  ClusterCertificates.kubelet(node),
                  policy,
                  now,
                  random)));
      files.add(host(nodeRoot, HostPaths.KUBELET_CONFIG, KubeletConfigFile.yaml(spec)));
      if (node.has(Role.MASTER)) {
        files.addAll(etcdPki(nodeRoot, secrets, node));
        files.add(
            host(
                nodeRoot,
                HostPaths.MANIFESTS + "/etcd.yaml",
                Manifests.toYaml(BootstrapEtcdPod.build(clusterName, spec, node, etcdMemberFiles(secrets, node)))));
      }
    }

    // The render output with the run-time inputs the operator will compute from these very
    // Secrets (each one's hash, by name), so the workloads' input hashes are already what the
    // operator's first reconcile writes, and it rolls nothing.
    Map<String, String> runtimeInputs =
        new TreeMap<>(dev.homecluster.operator.RuntimeSecretsHash.perSecret(secrets.values()));
    runtimeInputs.put(Names.RUNTIME_SECRETS_HASH, dev.homecluster.operator.RuntimeSecretsHash.of(List.of()));
    RenderResult withInputs =
        new dev.homecluster.render.Renderer().render(new dev.homecluster.render.RenderContext(cluster, runtimeInputs));
    int index = 0;
    for (ComponentOutput output : withInputs.components()) {
      index++;
      files.add(
          new BootstrapFile(
              String.format("manifests/%02d-%s.yaml", index, output.component()),
              Manifests.toYaml(output.objects())));
    }
    return files;
  }

  /** A copy with the common labels and only the metadata that can be applied to a new cluster. */
  private static Secret withBootstrapMetadata(Secret secret, String clusterName) {
    return new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata()
        .withName(secret.getMetadata().getName())
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .withLabels(Labels.common(clusterName, Names.PKI))
        .withAnnotations(secret.getMetadata().getAnnotations())
        .endMetadata()
        .withType(secret.getType())
        .withData(secret.getData())
        .withStringData(secret.getStringData())
        .build();
  }

  private static List<BootstrapFile> controlPlanePki(String root, Map<String, Secret> secrets) {
    List<BootstrapFile> files = new ArrayList<>();
    files.add(
        host(root, HostPaths.CA_CERT, file(secrets, Names.CLUSTER_CA_SECRET, Names.CA_CERT_KEY)));
    files.add(
        host(
            root,
            HostPaths.CA_KEY,
            file(secrets, Names.CLUSTER_CA_SECRET, Names.CA_PRIVATE_KEY_KEY)));
    files.add(
        host(
            root,
            HostPaths.APISERVER_CERT,
            file(secrets, Names.APISERVER_SERVING_SECRET, Names.TLS_CERT_KEY)));
    files.add(
        host(
            root,
            HostPaths.APISERVER_KEY,
            file(secrets, Names.APISERVER_SERVING_SECRET, Names.TLS_PRIVATE_KEY_KEY)));
    files.add(
        host(
            root,
            HostPaths.APISERVER_KUBELET_CLIENT_CERT,
            file(secrets, Names.APISERVER_KUBELET_CLIENT_SECRET, Names.TLS_CERT_KEY)));
    files.add(
        host(
            root,
            HostPaths.APISERVER_KUBELET_CLIENT_KEY,
            file(secrets, Names.APISERVER_KUBELET_CLIENT_SECRET, Names.TLS_PRIVATE_KEY_KEY)));
    files.add(
        host(
            root,
            HostPaths.APISERVER_ETCD_CLIENT_CERT,
            file(secrets, Names.APISERVER_ETCD_CLIENT_SECRET, Names.TLS_CERT_KEY)));
    files.add(
        host(
            root,
            HostPaths.APISERVER_ETCD_CLIENT_KEY,
            file(secrets, Names.APISERVER_ETCD_CLIENT_SECRET, Names.TLS_PRIVATE_KEY_KEY)));
    files.add(
        host(
            root,
            HostPaths.FRONT_PROXY_CA_CERT,
            file(secrets, Names.FRONT_PROXY_CA_SECRET, Names.CA_CERT_KEY)));
    files.add(
        host(
            root,
            HostPaths.FRONT_PROXY_CLIENT_CERT,
            file(secrets, Names.FRONT_PROXY_CLIENT_SECRET, Names.TLS_CERT_KEY)));
    files.add(
        host(
            root,
            HostPaths.FRONT_PROXY_CLIENT_KEY,
            file(secrets, Names.FRONT_PROXY_CLIENT_SECRET, Names.TLS_PRIVATE_KEY_KEY)));
    files.add(
        host(
            root,
            HostPaths.SA_KEY,
            file(secrets, Names.SERVICE_ACCOUNT_KEY_SECRET, Names.SA_PRIVATE_KEY_KEY)));
    files.add(
        host(
            root,
            HostPaths.SA_PUB,
            file(secrets, Names.SERVICE_ACCOUNT_KEY_SECRET, Names.SA_PUBLIC_KEY_KEY)));
    files.add(
        host(
            root,
            HostPaths.ENCRYPTION_CONFIG,
            file(secrets, Names.ENCRYPTION_CONFIG_SECRET, Names.ENCRYPTION_CONFIG_KEY)));
    files.add(
        host(
            root,
            HostPaths.ETCD_CLIENT_CERT,
            file(secrets, Names.ETCD_CLIENT_SECRET, Names.TLS_CERT_KEY)));
    files.add(
        host(
            root,
            HostPaths.ETCD_CLIENT_KEY,
            file(secrets, Names.ETCD_CLIENT_SECRET, Names.TLS_PRIVATE_KEY_KEY)));
    return files;
  }

  /**
   * The member's files as the etcd installer reads them from {@link Names#ETCD_MEMBERS_SECRET}
   * ({@code ca.crt}, {@code <node>.server.crt}, ...), in {@code EtcdStaticPod.PKI_FILES} order:
   * what the manifest's hash covers.
   */
  private static List<String> etcdMemberFiles(Map<String, Secret> secrets, NodeSpec master) {
    List<String> contents = new java.util.ArrayList<>();
    for (String f : dev.homecluster.render.controlplane.EtcdStaticPod.PKI_FILES) {
      String key = f.equals(Names.CA_CERT_KEY) ? f : Names.etcdMemberKey(master.getName(), f);
      contents.add(file(secrets, Names.ETCD_MEMBERS_SECRET, key));
    }
    return contents;
  }

  private static List<BootstrapFile> etcdPki(
      String root, Map<String, Secret> secrets, NodeSpec master) {
    String node = master.getName();
    return List.of(
        // The members Secret's copy of the etcd CA, as the installer writes it.
        host(root, HostPaths.ETCD_CA_CERT, file(secrets, Names.ETCD_MEMBERS_SECRET, Names.CA_CERT_KEY)),
        host(
            root,
            HostPaths.ETCD_SERVER_CERT,
            file(
                secrets,
                Names.ETCD_MEMBERS_SECRET,
                Names.etcdMemberKey(node, Names.ETCD_SERVER_CERT_FILE))),
        host(
            root,
            HostPaths.ETCD_SERVER_KEY,
            file(
                secrets,
                Names.ETCD_MEMBERS_SECRET,
                Names.etcdMemberKey(node, Names.ETCD_SERVER_KEY_FILE))),
        host(
            root,
            HostPaths.ETCD_PEER_CERT,
            file(
                secrets,
                Names.ETCD_MEMBERS_SECRET,
                Names.etcdMemberKey(node, Names.ETCD_PEER_CERT_FILE))),
        host(
            root,
            HostPaths.ETCD_PEER_KEY,
            file(
                secrets,
                Names.ETCD_MEMBERS_SECRET,
                Names.etcdMemberKey(node, Names.ETCD_PEER_KEY_FILE))));
  }

  private static String kubeconfig(
      String clusterName,
      String server,
      CertificateAuthority ca,
      String user,
      CertificateProfile profile,
      RenewalPolicy policy,
      Instant now,
      SecureRandom random) {
    return Kubeconfig.yaml(
        clusterName,
        server,
        ca.certificatePem(),
        user,
        ca.issue(profile, now, policy.leafValidity(), random));
  }

  private static IssuedCertificate client(Map<String, Secret> secrets, String secret) {
    return IssuedCertificate.parse(
        file(secrets, secret, Names.TLS_CERT_KEY), file(secrets, secret, Names.TLS_PRIVATE_KEY_KEY));
  }

  private static BootstrapFile host(String root, String absolutePath, String content) {
    return new BootstrapFile(root + HostPaths.relative(absolutePath), content);
  }

  private static String file(Map<String, Secret> secrets, String secret, String key) {
    return SecretFiles.read(secrets.get(secret), key)
        .orElseThrow(() -> new IllegalStateException(secret + " has no " + key));
  }
}
