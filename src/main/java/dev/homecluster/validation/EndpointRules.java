package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.ControlPlaneSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.net.Addresses;
import inet.ipaddr.IPAddress;
import java.util.List;
import java.util.Optional;

/**
 * What keepalived needs beyond the field checks of {@link ControlPlaneRules}: one VRRP instance
 * speaks one address family, so the virtual IP and every master's address (its VRRP source and
 * unicast peer) must be all IPv4 or all IPv6.
 */
final class EndpointRules implements Rule {
  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    ControlPlaneSpec cp = spec.getControlPlane();
    if (cp == null || cp.getEndpoint() == null || spec.getNodes() == null) {
      return;
    }
    Optional<IPAddress> vip = Addresses.parseAddress(cp.getEndpoint().getVip());
    if (vip.isEmpty()) {
      return;
    }
    List<NodeSpec> nodes = spec.getNodes();
    for (int i = 0; i < nodes.size(); i++) {
      NodeSpec node = nodes.get(i);
      if (node == null || !node.has(Role.MASTER)) {
        continue;
      }
      Optional<IPAddress> address = Addresses.parseAddress(node.getAddress());
      if (address.isPresent() && address.get().isIPv4() != vip.get().isIPv4()) {
        problems.error(
            "spec.controlPlane.endpoint.vip",
            vip.get()
                + " is "
                + family(vip.get())
                + " but master "
                + node.getName()
                + " (spec.nodes["
                + i
                + "].address) is "
                + family(address.get())
                + "; keepalived needs the virtual IP and every master's address in one family");
        return;
      }
    }
  }

  private static String family(IPAddress address) {
    return address.isIPv4() ? "IPv4" : "IPv6";
  }
}
