package dev.homecluster.render.controlplane;

/**
 * CoreDNS's configuration, as kubeadm writes it: cluster names from the API, everything else
 * forwarded to the node's resolvers, no caching of the cluster's own names.
 */
public final class Corefile {
  private Corefile() {}

  public static String forDomain(String clusterDomain) {
    return """
        .:53 {
            errors
            health {
               lameduck 5s
            }
            ready
            kubernetes %1$s in-addr.arpa ip6.arpa {
               pods insecure
               fallthrough in-addr.arpa ip6.arpa
               ttl 30
            }
            prometheus :9153
            forward . /etc/resolv.conf {
               max_concurrent 1000
            }
            cache 30 {
               disable success %1$s
               disable denial %1$s
            }
            loop
            reload
            loadbalance
        }
        """
        .formatted(clusterDomain);
  }
}
