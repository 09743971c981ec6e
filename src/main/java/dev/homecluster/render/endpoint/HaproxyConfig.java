package dev.homecluster.render.endpoint;

import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.RenderContext;
import java.util.List;
import java.util.Objects;

/**
 * The text of haproxy.cfg: a TCP frontend on the endpoint port (every address, so it serves the
 * virtual IP whenever this master holds it) balancing over every master's apiserver, which HAProxy
 * checks with {@code GET /readyz} over TLS; and a local health frontend for the probes and for
 * keepalived's check.
 *
 * <p>The health checks verify the apiserver's certificate against the cluster CA ({@value
 * #CA_FILE}, the CA Secret's public certificate only): a host on the home network answering on a
 * master's address with any other certificate is marked down and never receives API traffic
 * through the VIP. The client traffic itself is passed through as TCP (clients verify the
 * apiserver themselves). Only the chain is verified, not the name: HAProxy matches host names
 * against DNS names only, while the servers here are addressed by IP.
 */
public final class HaproxyConfig {
  /** Local port of the health frontend (loopback only). Reserved on the masters. */
  public static final int HEALTH_PORT = 8404;

  /** The health URI: 200 while at least one apiserver is up, 503 when none is. */
  public static final String HEALTH_URI = "/healthz";

  /** Name of the backend of apiservers. */
  public static final String BACKEND = "kube-apiservers";

  /**
   * Connections HAProxy accepts at once. Bounded for small boards: a TCP connection needs at most
   * two 16 kB buffers, so the worst case stays near 64 MB.
   */
  public static final int MAX_CONNECTIONS = 2000;

  /** The cluster CA certificate in the HAProxy container (mounted from the CA Secret). */
  public static final String CA_DIR = "/usr/local/etc/haproxy-ca";

  public static final String CA_FILE = CA_DIR + "/ca.crt";

  private final String clusterName;
  private final int port;
  private final int apiServerPort;
  private final boolean ipv6;
  private final List<NodeSpec> masters;

  public HaproxyConfig(
      String clusterName, int port, int apiServerPort, boolean ipv6, List<NodeSpec> masters) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    this.port = port;
    this.apiServerPort = apiServerPort;
    this.ipv6 = ipv6;
    this.masters = List.copyOf(masters);
  }

  /** The configuration of a validated HomeCluster. */
  public static HaproxyConfig of(RenderContext ctx) {
    var controlPlane = ctx.spec().getControlPlane();
    return new HaproxyConfig(
        ctx.clusterName(),
        controlPlane.getEndpoint().getPort(),
        controlPlane.getApiServerPort(),
        controlPlane.getEndpoint().getVip().contains(":"),
        ctx.masters());
  }

  /** {@code address:port}, with brackets around an IPv6 address. */
  static String hostPort(String address, int port) {
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }

  /** The file's text. */
  public String text() {
    StringBuilder out = new StringBuilder();
    out.append("# haproxy.cfg of HomeCluster ").append(clusterName).append(", rendered by homecluster-operator.\n");
    out.append("\n");
    out.append("global\n");
    out.append("    log stdout format raw local0 info\n");
    out.append("    maxconn ").append(MAX_CONNECTIONS).append("\n");
    out.append("\n");
    out.append("defaults\n");
    out.append("    mode tcp\n");
    out.append("    log global\n");
    out.append("    option tcplog\n");
    out.append("    option dontlognull\n");
    out.append("    # A connection to a master that just died fails fast and goes to another one.\n");
    out.append("    timeout connect 2s\n");
    out.append("    retries 2\n");
    out.append("    option redispatch 1\n");
    out.append("    # Watches, logs -f, exec and port-forward stay open and may be quiet for minutes;\n");
    out.append("    # the apiserver ends watches itself within an hour (--min-request-timeout).\n");
    out.append("    timeout client 1h\n");
    out.append("    timeout server 1h\n");
    out.append("    timeout client-fin 10s\n");
    out.append("    timeout server-fin 10s\n");
    out.append("    timeout check 2s\n");
    out.append("\n");
    out.append("# Health of this HAProxy for the kubelet's probes and keepalived's check: 503 when no\n");
    out.append("# apiserver is up, so keepalived then gives the virtual IP to another master.\n");
    out.append("frontend healthz\n");
    out.append("    mode http\n");
    out.append("    bind 127.0.0.1:").append(HEALTH_PORT).append("\n");
    out.append("    timeout client 5s\n");
    out.append("    monitor-uri ").append(HEALTH_URI).append("\n");
    out.append("    monitor fail if { nbsrv(").append(BACKEND).append(") lt 1 }\n");
    out.append("\n");
    out.append("frontend kube-apiserver\n");
    out.append("    # Every address: the virtual IP arrives and leaves with keepalived.\n");
    out.append("    bind ").append(ipv6 ? ":::" + port + " v4v6" : "*:" + port).append("\n");
    out.append("    default_backend ").append(BACKEND).append("\n");
    out.append("\n");
    out.append("backend ").append(BACKEND).append("\n");
    out.append("    balance leastconn\n");
    out.append("    option httpchk GET /readyz\n");
    out.append("    http-check expect status 200\n");
    out.append("    # A down apiserver is noticed within about 2.5 s, and its connections are closed so\n");
    out.append("    # that clients reconnect to another one at once.\n");
    out.append("    default-server inter 2s fastinter 500ms fall 2 rise 2 on-marked-down shutdown-sessions\n");
    for (NodeSpec master : masters) {
      out.append("    server ")
          .append(master.getName())
          .append(" ")
          .append(hostPort(master.getAddress(), apiServerPort))
          .append(" check check-ssl verify required ca-file ")
          .append(CA_FILE)
          .append("\n");
    }
    return out.toString();
  }
}
