package dev.homecluster.render.controlplane;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Component;
import dev.homecluster.render.Images;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * kube-apiserver on every master, as a DaemonSet on the host network listening on {@code
 * controlPlane.apiServerPort} (HAProxy on the VIP forwards to it). It talks to every master's
 * etcd over TLS, serves with the operator-issued certificate, and encrypts Secrets at rest.
 *
 * <p>Certificates come from the generated Secrets through one read-only projected volume at
 * {@link #PKI_DIR}; the pod template carries the Secrets' hash so a renewal rolls the masters one
 * at a time ({@code maxUnavailable: 1}), and the checkpoint annotation so the pod checkpointer
 * keeps a static copy for power cycles.
 */
public final class ApiServerDaemonSet implements Component {
  public static final String PKI_DIR = "/etc/kubernetes/pki";
  public static final String CONTAINER = "kube-apiserver";

  /** The Secrets this pod mounts; the pod checkpointer may read exactly these. */
  public static final List<String> SECRETS =
      List.of(
          Names.CLUSTER_CA_SECRET,
          Names.APISERVER_SERVING_SECRET,
          Names.APISERVER_KUBELET_CLIENT_SECRET,
          Names.APISERVER_ETCD_CLIENT_SECRET,
          Names.FRONT_PROXY_CA_SECRET,
          Names.FRONT_PROXY_CLIENT_SECRET,
          Names.SERVICE_ACCOUNT_KEY_SECRET,
          Names.ENCRYPTION_CONFIG_SECRET);

  /** The ConfigMaps this pod mounts; the pod checkpointer may read exactly these. */
  public static final List<String> CONFIG_MAPS =
      List.of(Names.APISERVER_AUTHENTICATION_CONFIG, Names.APISERVER_AUDIT_POLICY);

  @Override
  public String name() {
    return Names.KUBE_APISERVER;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    return List.of(authenticationConfigMap(), auditPolicyConfigMap(), daemonSet(ctx));
  }

  private static ConfigMap auditPolicyConfigMap() {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.APISERVER_AUDIT_POLICY)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .addToData(ApiServerAuditPolicy.FILE, ApiServerAuditPolicy.yaml())
        .build();
  }

  private static ConfigMap authenticationConfigMap() {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.APISERVER_AUTHENTICATION_CONFIG)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .addToData(ApiServerAuthenticationConfig.FILE, ApiServerAuthenticationConfig.yaml())
        .build();
  }

  /** The {@code kube-apiserver} command line. */
  static List<String> command(HomeClusterSpec spec, List<NodeSpec> masters) {
    String etcdServers =
        masters.stream().map(EtcdStaticPod::clientUrl).collect(Collectors.joining(","));
    String serviceCidr = spec.getNetwork().getServiceCIDR();
    List<String> command = new ArrayList<>();
    command.add("kube-apiserver");
    command.add("--advertise-address=$(HOST_IP)");
    command.add("--secure-port=" + spec.getControlPlane().getApiServerPort());
    command.add("--allow-privileged=true");
    command.add("--authorization-mode=Node,RBAC");
    command.add("--authentication-config=" + PKI_DIR + "/" + ApiServerAuthenticationConfig.FILE);
    // CIS 1.2.16-1.2.19: an audit log, rotated by the apiserver (see ApiServerAuditPolicy).
    command.addAll(ApiServerAuditPolicy.flags(PKI_DIR));
    command.add("--client-ca-file=" + PKI_DIR + "/ca.crt");
    command.add("--enable-admission-plugins=NodeRestriction");
    command.add("--enable-bootstrap-token-auth=true");
    command.add("--endpoint-reconciler-type=lease");
    command.add("--encryption-provider-config=" + PKI_DIR + "/encryption-config.yaml");
    command.add("--etcd-servers=" + etcdServers);
    command.add("--etcd-cafile=" + PKI_DIR + "/etcd/ca.crt");
    command.add("--etcd-certfile=" + PKI_DIR + "/apiserver-etcd-client.crt");
    command.add("--etcd-keyfile=" + PKI_DIR + "/apiserver-etcd-client.key");
    command.add("--kubelet-client-certificate=" + PKI_DIR + "/apiserver-kubelet-client.crt");
    command.add("--kubelet-client-key=" + PKI_DIR + "/apiserver-kubelet-client.key");
    command.add("--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname");
    // CIS 1.2.5: kubelets serve certificates the cluster CA signs (serverTLSBootstrap; the
    // operator approves their CSRs), so the apiserver verifies them.
    command.add("--kubelet-certificate-authority=" + PKI_DIR + "/ca.crt");
    // CIS 1.2.15: no /debug/pprof on the API.
    command.add("--profiling=false");
    command.add("--proxy-client-cert-file=" + PKI_DIR + "/front-proxy-client.crt");
    command.add("--proxy-client-key-file=" + PKI_DIR + "/front-proxy-client.key");
    command.add("--requestheader-allowed-names=" + Names.FRONT_PROXY_CLIENT_CN);
    command.add("--requestheader-client-ca-file=" + PKI_DIR + "/front-proxy-ca.crt");
    command.add("--requestheader-extra-headers-prefix=X-Remote-Extra-");
    command.add("--requestheader-group-headers=X-Remote-Group");
    command.add("--requestheader-username-headers=X-Remote-User");
    command.add("--service-account-issuer=" + serviceAccountIssuer(spec));
    command.add("--service-account-key-file=" + PKI_DIR + "/sa.pub");
    command.add("--service-account-signing-key-file=" + PKI_DIR + "/sa.key");
    command.add("--service-cluster-ip-range=" + serviceCidr);
    command.add("--tls-cert-file=" + PKI_DIR + "/apiserver.crt");
    command.add("--tls-private-key-file=" + PKI_DIR + "/apiserver.key");
    return command;
  }

  /** {@code https://kubernetes.default.svc.<clusterDomain>}. */
  static String serviceAccountIssuer(HomeClusterSpec spec) {
    return "https://kubernetes.default.svc." + spec.getNetwork().getClusterDomain();
  }

  private static DaemonSet daemonSet(RenderContext ctx) {
    HomeClusterSpec spec = ctx.spec();
    int port = spec.getControlPlane().getApiServerPort();
    Map<String, String> annotations = new TreeMap<>(InputHash.annotations(ctx, SECRETS));
    annotations.put(Names.CHECKPOINT_ANNOTATION, "true");
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(Names.KUBE_APISERVER)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(Labels.selector(Names.KUBE_APISERVER))
        .endSelector()
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        // maxSurge must stay 0: two apiservers cannot bind the same host port.
        .withMaxUnavailable(new IntOrString(1))
        .withMaxSurge(new IntOrString(0))
        .endRollingUpdate()
        .endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.pod(ctx.clusterName(), Names.KUBE_APISERVER))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withNodeSelector(Placement.nodesWith(Role.MASTER))
        .withTolerations(Placement.controlPlaneTolerations())
        .withHostNetwork(true)
        .withPriorityClassName("system-cluster-critical")
        // The apiserver needs no token; without one the checkpointed copy has nothing to drop.
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName(CONTAINER)
        .withImage(Images.kubernetes(spec, "kube-apiserver"))
        .withImagePullPolicy("IfNotPresent")
        .withCommand(command(spec, ctx.masters()))
        .addNewEnv()
        .withName("HOST_IP")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("status.hostIP")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewPort()
        .withName("https")
        .withContainerPort(port)
        .withProtocol("TCP")
        .endPort()
        .withNewResources()
        .addToRequests("cpu", new Quantity("250m"))
        .endResources()
        .withNewStartupProbe()
        .withHttpGet(health("/livez", port))
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(15)
        .withFailureThreshold(24)
        .endStartupProbe()
        .withNewLivenessProbe()
        .withHttpGet(health("/livez", port))
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(15)
        .withFailureThreshold(8)
        .endLivenessProbe()
        .withNewReadinessProbe()
        .withHttpGet(health("/readyz", port))
        .withPeriodSeconds(1)
        .withTimeoutSeconds(15)
        .withFailureThreshold(3)
        .endReadinessProbe()
        .addNewVolumeMount()
        .withName("pki")
        .withMountPath(PKI_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("audit-log")
        .withMountPath(ApiServerAuditPolicy.LOG_DIR)
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("pki")
        .withNewProjected()
        .withDefaultMode(0400)
        .withSources(pkiSources())
        .endProjected()
        .endVolume()
        // The audit log stays on the master, outside the container, across restarts.
        .addNewVolume()
        .withName("audit-log")
        .withNewHostPath()
        .withPath(ApiServerAuditPolicy.LOG_DIR)
        .withType("DirectoryOrCreate")
        .endHostPath()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** Every file under {@link #PKI_DIR}, by Secret; CA private keys are never mounted here. */
  private static List<VolumeProjection> pkiSources() {
    return List.of(
        secret(Names.CLUSTER_CA_SECRET, item("ca.crt", "ca.crt")),
        secret(
            Names.APISERVER_SERVING_SECRET,
            item("tls.crt", "apiserver.crt"),
            item("tls.key", "apiserver.key")),
        secret(
            Names.APISERVER_KUBELET_CLIENT_SECRET,
            item("tls.crt", "apiserver-kubelet-client.crt"),
            item("tls.key", "apiserver-kubelet-client.key")),
        secret(
            Names.APISERVER_ETCD_CLIENT_SECRET,
            item("ca.crt", "etcd/ca.crt"),
            item("tls.crt", "apiserver-etcd-client.crt"),
            item("tls.key", "apiserver-etcd-client.key")),
        secret(Names.FRONT_PROXY_CA_SECRET, item("ca.crt", "front-proxy-ca.crt")),
        secret(
            Names.FRONT_PROXY_CLIENT_SECRET,
            item("tls.crt", "front-proxy-client.crt"),
            item("tls.key", "front-proxy-client.key")),
        secret(Names.SERVICE_ACCOUNT_KEY_SECRET, item("sa.key", "sa.key"), item("sa.pub", "sa.pub")),
        secret(
            Names.ENCRYPTION_CONFIG_SECRET,
            item("encryption-config.yaml", "encryption-config.yaml")),
        new VolumeProjectionBuilder()
            .withNewConfigMap()
            .withName(Names.APISERVER_AUTHENTICATION_CONFIG)
            .withItems(item(ApiServerAuthenticationConfig.FILE, ApiServerAuthenticationConfig.FILE))
            .endConfigMap()
            .build(),
        new VolumeProjectionBuilder()
            .withNewConfigMap()
            .withName(Names.APISERVER_AUDIT_POLICY)
            .withItems(item(ApiServerAuditPolicy.FILE, ApiServerAuditPolicy.FILE))
            .endConfigMap()
            .build());
  }

  private static VolumeProjection secret(String name, KeyToPath... items) {
    return new VolumeProjectionBuilder()
        .withNewSecret()
        .withName(name)
        .withItems(items)
        .endSecret()
        .build();
  }

  private static KeyToPath item(String key, String path) {
    return new KeyToPathBuilder().withKey(key).withPath(path).build();
  }

  private static HTTPGetAction health(String path, int port) {
    return new HTTPGetActionBuilder()
        .withPath(path)
        .withPort(new IntOrString(port))
        .withScheme("HTTPS")
        .build();
  }
}
