package dev.homecluster.render.endpoint;

import dev.homecluster.api.v1alpha1.EndpointSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Component;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The API endpoint: on every master a pod of two containers on the host network, keepalived holding
 * the virtual IP (VRRP) and HAProxy balancing the endpoint port over every master's apiserver. Its
 * configuration is one ConfigMap, the same on every master; the VRRP password comes from the
 * operator-generated Secret {@link Names#VRRP_AUTH_SECRET}.
 */
public final class ApiServerEndpoint implements Component {
  /** ConfigMap keys. */
  public static final String KEEPALIVED_CONF_KEY = "keepalived.conf";

  public static final String HAPROXY_CFG_KEY = "haproxy.cfg";
  public static final String START_SCRIPT_KEY = "keepalived-start.sh";

  public static final String KEEPALIVED_CONTAINER = "keepalived";
  public static final String HAPROXY_CONTAINER = "haproxy";

  /** Where the containers find their files. */
  static final String KEEPALIVED_CONFIG_DIR = "/etc/keepalived";

  static final String HAPROXY_CONFIG_DIR = "/usr/local/etc/haproxy";
  static final String VRRP_AUTH_DIR = "/run/secrets/vrrp-auth";

  /**
   * The only capabilities keepalived needs: NET_ADMIN for the address, NET_RAW and NET_BROADCAST
   * for VRRP and ARP packets, and SETGID because keepalived resets the supplementary groups before
   * it runs the health check, even as root. Without SETGID the check cannot run and keepalived 2.2
   * logs "Couldn't setgroups" and keeps the address on a master whose HAProxy is dead (the failover
   * lab, EndpointFailoverTest, shows it).
   */
  public static final List<String> KEEPALIVED_CAPABILITIES =
      List.of("NET_ADMIN", "NET_RAW", "NET_BROADCAST", "SETGID");

  /** User and group of the official HAProxy image. */
  static final long HAPROXY_UID = 99;

  private static final String START_SCRIPT_RESOURCE = "/dev/homecluster/scripts/keepalived-start.sh";

  @Override
  public String name() {
    return Names.ENDPOINT;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    ConfigMap config = configMap(ctx);
    return List.of(config, daemonSet(ctx, inputHash(config.getData())), disruptionBudget(ctx));
  }

  /** The start script, as shipped in the jar. */
  public static String startScript() {
    try (InputStream in = ApiServerEndpoint.class.getResourceAsStream(START_SCRIPT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + START_SCRIPT_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ConfigMap configMap(RenderContext ctx) {
    Map<String, String> data = new TreeMap<>();
    data.put(KEEPALIVED_CONF_KEY, KeepalivedConfig.of(ctx).text());
    data.put(HAPROXY_CFG_KEY, HaproxyConfig.of(ctx).text());
    data.put(START_SCRIPT_KEY, startScript());
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.ENDPOINT)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withData(data)
        .build();
  }

  /** A hash of the configuration on the pod template, so the pods restart when it changes. */
  static String inputHash(Map<String, String> data) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> entry : new TreeMap<>(data).entrySet()) {
        sha.update(entry.getKey().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(entry.getValue().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DaemonSet daemonSet(RenderContext ctx, String inputHash) {
    EndpointSpec endpoint = ctx.spec().getControlPlane().getEndpoint();
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(Names.ENDPOINT)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(Labels.selector(Names.ENDPOINT))
        .endSelector()
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(1))
        .endRollingUpdate()
        .endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.pod(ctx.clusterName(), Names.ENDPOINT))
        .withAnnotations(new TreeMap<>(Map.of(Names.INPUT_HASH_ANNOTATION, inputHash)))
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(true)
        .withDnsPolicy("ClusterFirstWithHostNet")
        .withPriorityClassName("system-node-critical")
        .withNodeSelector(Placement.nodesWith(Role.MASTER))
        .withTolerations(Placement.controlPlaneTolerations())
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(15L)
        .withContainers(keepalived(endpoint), haproxy(endpoint))
        .withVolumes(volumes())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Container keepalived(EndpointSpec endpoint) {
    List<String> pidAlive =
        List.of("/bin/sh", "-c", "kill -0 \"$(cat " + KeepalivedConfig.RUN_DIR + "/vrrp.pid)\"");
    return new ContainerBuilder()
        .withName(KEEPALIVED_CONTAINER)
        .withImage(endpoint.getKeepalivedImage())
        .withCommand("/bin/sh", KEEPALIVED_CONFIG_DIR + "/" + START_SCRIPT_KEY)
        .addNewEnv()
        .withName("NODE_NAME")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("spec.nodeName")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewVolumeMount()
        .withName("keepalived-config")
        .withMountPath(KEEPALIVED_CONFIG_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("vrrp-auth")
        .withMountPath(VRRP_AUTH_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("keepalived-run")
        .withMountPath(KeepalivedConfig.RUN_DIR)
        .endVolumeMount()
        // The VRRP process is alive: keepalived's parent restarts it, this catches the rest.
        .withNewReadinessProbe()
        .withNewExec()
        .withCommand(pidAlive)
        .endExec()
        .withPeriodSeconds(5)
        .withTimeoutSeconds(2)
        .withFailureThreshold(2)
        .endReadinessProbe()
        .withNewLivenessProbe()
        .withNewExec()
        .withCommand(pidAlive)
        .endExec()
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(2)
        .withFailureThreshold(3)
        .endLivenessProbe()
        .withNewResources()
        .withRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("16Mi")))
        .withLimits(Map.of("memory", new Quantity("64Mi")))
        .endResources()
        .withSecurityContext(
            new SecurityContextBuilder()
                // Root, but without CAP_SETUID, CAP_DAC_OVERRIDE or CAP_SYS_ADMIN.
                .withRunAsUser(0L)
                .withRunAsNonRoot(false)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .withAdd(KEEPALIVED_CAPABILITIES)
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build())
        .build();
  }

  private static Container haproxy(EndpointSpec endpoint) {
    return new ContainerBuilder()
        .withName(HAPROXY_CONTAINER)
        .withImage(endpoint.getHaproxyImage())
        .withCommand("haproxy", "-db", "-f", HAPROXY_CONFIG_DIR + "/" + HAPROXY_CFG_KEY)
        .addNewPort()
        .withName("apiserver")
        .withContainerPort(endpoint.getPort())
        .withProtocol("TCP")
        .endPort()
        .addNewVolumeMount()
        .withName("haproxy-config")
        .withMountPath(HAPROXY_CONFIG_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("cluster-ca")
        .withMountPath(HaproxyConfig.CA_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        // Ready while at least one apiserver is up behind it.
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withHost("127.0.0.1")
        .withPort(new IntOrString(HaproxyConfig.HEALTH_PORT))
        .withPath(HaproxyConfig.HEALTH_URI)
        .endHttpGet()
        .withPeriodSeconds(5)
        .withTimeoutSeconds(2)
        .withFailureThreshold(2)
        .endReadinessProbe()
        // Alive while it accepts connections, even with every apiserver down (bootstrap).
        .withNewLivenessProbe()
        .withNewTcpSocket()
        .withHost("127.0.0.1")
        .withPort(new IntOrString(HaproxyConfig.HEALTH_PORT))
        .endTcpSocket()
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(2)
        .withFailureThreshold(3)
        .endLivenessProbe()
        // Keep serving while keepalived hands the virtual IP to another master.
        .withNewLifecycle()
        .withNewPreStop()
        .withNewSleep()
        .withSeconds(2L)
        .endSleep()
        .endPreStop()
        .endLifecycle()
        .withNewResources()
        .withRequests(Map.of("cpu", new Quantity("25m"), "memory", new Quantity("32Mi")))
        .withLimits(Map.of("memory", new Quantity("192Mi")))
        .endResources()
        .withSecurityContext(haproxySecurity(endpoint.getPort()))
        .build();
  }

  /**
   * HAProxy runs as the image's unprivileged user with no capability. A port below 1024 needs
   * CAP_NET_BIND_SERVICE, which Kubernetes grants only to root (it puts added capabilities in the
   * permitted and bounding sets, never the ambient set, so a non-root process cannot use them);
   * then HAProxy runs as root with that one capability.
   */
  static SecurityContext haproxySecurity(int port) {
    boolean privilegedPort = port < 1024;
    SecurityContextBuilder builder =
        new SecurityContextBuilder()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile();
    if (privilegedPort) {
      builder
          .withRunAsUser(0L)
          .withRunAsNonRoot(false)
          .withNewCapabilities()
          .withDrop("ALL")
          .withAdd("NET_BIND_SERVICE")
          .endCapabilities();
    } else {
      builder
          .withRunAsUser(HAPROXY_UID)
          .withRunAsGroup(HAPROXY_UID)
          .withRunAsNonRoot(true)
          .withNewCapabilities()
          .withDrop("ALL")
          .endCapabilities();
    }
    return builder.build();
  }

  private static List<Volume> volumes() {
    return List.of(
        new VolumeBuilder()
            .withName("keepalived-config")
            .withNewConfigMap()
            .withName(Names.ENDPOINT)
            .addNewItem()
            .withKey(KEEPALIVED_CONF_KEY)
            .withPath(KEEPALIVED_CONF_KEY)
            .endItem()
            .addNewItem()
            .withKey(START_SCRIPT_KEY)
            .withPath(START_SCRIPT_KEY)
            .endItem()
            .endConfigMap()
            .build(),
        new VolumeBuilder()
            .withName("haproxy-config")
            .withNewConfigMap()
            .withName(Names.ENDPOINT)
            .addNewItem()
            .withKey(HAPROXY_CFG_KEY)
            .withPath(HAPROXY_CFG_KEY)
            .endItem()
            .endConfigMap()
            .build(),
        // The CA's public certificate only, never its key: HAProxy verifies the apiservers.
        new VolumeBuilder()
            .withName("cluster-ca")
            .withNewSecret()
            .withSecretName(Names.CLUSTER_CA_SECRET)
            .addNewItem()
            .withKey(Names.CA_CERT_KEY)
            .withPath("ca.crt")
            .endItem()
            .withDefaultMode(0444)
            .endSecret()
            .build(),
        new VolumeBuilder()
            .withName("vrrp-auth")
            .withNewSecret()
            .withSecretName(Names.VRRP_AUTH_SECRET)
            .withDefaultMode(0400)
            .endSecret()
            .build(),
        new VolumeBuilder()
            .withName("keepalived-run")
            .withNewEmptyDir()
            .withMedium("Memory")
            .withSizeLimit(new Quantity("1Mi"))
            .endEmptyDir()
            .build());
  }

  /**
   * Evictions stop while fewer than {@code min(2, masters - 1)} endpoint pods would remain ready:
   * two masters keep serving, and with one or two masters an eviction is still possible (a plain
   * 2 would block every eviction with two masters, for ever). Pods that are not ready may always
   * be evicted, so a broken master can be drained. An integer minAvailable, because the
   * disruption controller supports maxUnavailable and percentages only for pods of controllers
   * with a scale subresource, and a DaemonSet has none.
   */
  static int minAvailable(int masters) {
    return Math.max(0, Math.min(2, masters - 1));
  }

  private static PodDisruptionBudget disruptionBudget(RenderContext ctx) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(Names.ENDPOINT)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withMinAvailable(new IntOrString(minAvailable(ctx.masters().size())))
        .withUnhealthyPodEvictionPolicy("AlwaysAllow")
        .withNewSelector()
        .withMatchLabels(Labels.selector(Names.ENDPOINT))
        .endSelector()
        .endSpec()
        .build();
  }
}
