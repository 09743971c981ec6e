package dev.homecluster.render.endpoint;

import dev.homecluster.api.v1alpha1.EndpointSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.RenderContext;
import java.util.List;
import java.util.Objects;

/**
 * The text of keepalived.conf: one VRRP instance that holds the endpoint's virtual IP on one master
 * at a time.
 *
 * <p>The same file runs on every master. Lines that differ per node (source address, priority, the
 * peers other than itself) are keepalived conditional lines {@code @<node name> ...} and {@code
 * @^<node name> ...}; keepalived keeps them according to {@code --config-id}, which the pod sets to
 * its node's name. So the stored text is exactly what each node runs.
 *
 * <p>The VRRP password is not in this text: it is the keepalived parameter {@code
 * ${VRRP_AUTH_PASS}}, defined in {@link #AUTH_INCLUDE}, which the pod's start script writes from
 * the operator's Secret before it starts keepalived. See docs/endpoint.md for the timing.
 */
public final class KeepalivedConfig {
  /** Name of the vrrp_instance. */
  public static final String INSTANCE = "apiserver_endpoint";

  /** Name of the vrrp_script that checks the local HAProxy and, through it, the apiservers. */
  public static final String HEALTH_CHECK = "apiserver_endpoint_healthy";

  /** Memory-backed directory of the pod where the start script writes run-time files. */
  public static final String RUN_DIR = "/run/keepalived";

  /** The file defining the password parameter, written by the start script. */
  public static final String AUTH_INCLUDE = RUN_DIR + "/vrrp-auth.conf";

  /** The keepalived parameter holding the VRRP password. */
  public static final String AUTH_PARAMETER = "VRRP_AUTH_PASS";

  /** keepalived uses at most 8 characters of a VRRP password. */
  public static final int AUTH_PASS_LENGTH = 8;

  /** Seconds between VRRP adverts; the smallest VRRPv2 allows (it carries whole seconds). */
  public static final int ADVERT_INT_SECONDS = 1;

  /** Seconds between health checks, their timeout, and how many results change the state. */
  public static final int CHECK_INTERVAL_SECONDS = 1;

  public static final int CHECK_TIMEOUT_SECONDS = 1;
  public static final int CHECK_FALL = 2;
  public static final int CHECK_RISE = 2;

  /** curl's own limit on one health check, below the script timeout. */
  public static final String CHECK_MAX_TIME_SECONDS = "0.5";

  /**
   * Priority of the first master; the next ones get one less each. 255 is reserved for the
   * address owner, and a high priority keeps the VRRP skew time (256 - priority) / 256 s short.
   */
  public static final int TOP_PRIORITY = 254;

  private final String clusterName;
  private final EndpointSpec endpoint;
  private final List<NodeSpec> masters;
  private final int healthPort;

  public KeepalivedConfig(
      String clusterName, EndpointSpec endpoint, List<NodeSpec> masters, int healthPort) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.masters = List.copyOf(masters);
    this.healthPort = healthPort;
  }

  /** The configuration of a validated HomeCluster. */
  public static KeepalivedConfig of(RenderContext ctx) {
    return new KeepalivedConfig(
        ctx.clusterName(),
        ctx.spec().getControlPlane().getEndpoint(),
        ctx.masters(),
        HaproxyConfig.HEALTH_PORT);
  }

  /** The VRRP priority of a master: {@link #TOP_PRIORITY} for the first, one less for each next. */
  public int priorityOf(String nodeName) {
    for (int i = 0; i < masters.size(); i++) {
      if (masters.get(i).getName().equals(nodeName)) {
        return Math.max(1, TOP_PRIORITY - i);
      }
    }
    throw new IllegalArgumentException(nodeName + " is not a master");
  }

  /** The command the health check runs: HAProxy's monitor URI, which fails with no apiserver up. */
  public String healthCheckCommand() {
    return "/usr/bin/curl --fail --silent --max-time "
        + CHECK_MAX_TIME_SECONDS
        + " --output /dev/null http://127.0.0.1:"
        + healthPort
        + HaproxyConfig.HEALTH_URI;
  }

  /** The file's text. */
  public String text() {
    boolean ipv6 = endpoint.getVip().contains(":");
    String iface = endpoint.getInterfaceName();
    StringBuilder out = new StringBuilder();
    out.append("# keepalived.conf of HomeCluster ").append(clusterName).append(", rendered by homecluster-operator.\n");
    out.append("# Every master runs this file with --config-id=<its node name>: lines starting with\n");
    out.append("# @<node> apply only on that node, lines starting with @^<node> on every other node.\n");
    out.append("\n");
    out.append("global_defs {\n");
    out.append("    # The container has no CAP_SETUID, so checks run as its user (root), and only if\n");
    out.append("    # nothing on their path is writable by anyone else.\n");
    out.append("    script_user root\n");
    out.append("    enable_script_security\n");
    out.append("}\n");
    out.append("\n");
    out.append("# Defines $").append(AUTH_PARAMETER).append(", the VRRP password, from the Secret (see keepalived-start.sh).\n");
    out.append("includer ").append(AUTH_INCLUDE).append("\n");
    out.append("\n");
    out.append("vrrp_script ").append(HEALTH_CHECK).append(" {\n");
    out.append("    script \"").append(healthCheckCommand()).append("\"\n");
    out.append("    interval ").append(CHECK_INTERVAL_SECONDS).append("\n");
    out.append("    timeout ").append(CHECK_TIMEOUT_SECONDS).append("\n");
    out.append("    fall ").append(CHECK_FALL).append("\n");
    out.append("    rise ").append(CHECK_RISE).append("\n");
    out.append("}\n");
    out.append("\n");
    out.append("vrrp_instance ").append(INSTANCE).append(" {\n");
    out.append("    # BACKUP everywhere with nopreempt: a master keeps the address until it fails, and a\n");
    out.append("    # recovering master never takes it back, so the address moves only on failure.\n");
    out.append("    state BACKUP\n");
    out.append("    nopreempt\n");
    out.append("    interface ").append(iface).append("\n");
    out.append("    virtual_router_id ").append(endpoint.getVirtualRouterId()).append("\n");
    out.append("    advert_int ").append(ADVERT_INT_SECONDS).append("\n");
    for (NodeSpec master : masters) {
      out.append("    @").append(master.getName()).append(" priority ").append(priorityOf(master.getName())).append("\n");
    }
    if (masters.size() > 1) {
      // Unicast, because home routers and switches often drop multicast.
      for (NodeSpec master : masters) {
        out.append("    @").append(master.getName()).append(" unicast_src_ip ").append(master.getAddress()).append("\n");
      }
      out.append("    unicast_peer {\n");
      for (NodeSpec master : masters) {
        out.append("        @^").append(master.getName()).append(" ").append(master.getAddress()).append("\n");
      }
      out.append("    }\n");
    }
    if (!ipv6) {
      // VRRPv3, which keepalived uses for IPv6, has no authentication.
      out.append("    authentication {\n");
      out.append("        auth_type PASS\n");
      out.append("        auth_pass ${").append(AUTH_PARAMETER).append("}\n");
      out.append("    }\n");
    }
    out.append("    virtual_ipaddress {\n");
    out.append("        ").append(endpoint.getVip()).append(ipv6 ? "/128" : "/32").append(" dev ").append(iface).append("\n");
    out.append("    }\n");
    out.append("    track_script {\n");
    out.append("        ").append(HEALTH_CHECK).append("\n");
    out.append("    }\n");
    out.append("}\n");
    return out.toString();
  }
}
