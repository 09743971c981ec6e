package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NetworkSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.net.Addresses;
import inet.ipaddr.IPAddress;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * Addresses that parse but cannot work: a node or the VIP at 0.0.0.0, loopback, multicast or
 * link-local (no other machine can reach them, or every machine answers), the VIP on the home
 * subnet's network or broadcast address or inside the cluster's own ranges, and a pod range that
 * the controller-manager cannot cut into one range per node.
 */
final class AddressRules implements Rule {
  /**
   * The per-node pod range the controller-manager assigns: its default {@code
   * --node-cidr-mask-size} of /24 for IPv4 and /64 for IPv6, which the rendering does not change.
   */
  static final int NODE_MASK_IPV4 = 24;

  static final int NODE_MASK_IPV6 = 64;

  /**
   * The controller-manager refuses a cluster CIDR more than this many bits wider than the node
   * mask ("CIDR allocator does not support ... too large").
   */
  static final int MAX_NODE_MASK_BITS = 16;

  private static final String NODE_ADVICE = "use the machine's own unicast address";

  private static final String VIP_ADVICE = "use a free unicast address on the home network";

  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    NetworkSpec network = spec.getNetwork();
    Optional<IPAddress> nodeCidr = network == null ? Optional.empty() : cleanCidr(network.getNodeCIDR());
    List<NodeSpec> nodes = spec.getNodes() == null ? List.of() : spec.getNodes();
    for (int i = 0; i < nodes.size(); i++) {
      NodeSpec node = nodes.get(i);
      Optional<IPAddress> address =
          node == null ? Optional.empty() : Addresses.parseAddress(node.getAddress());
      if (address.isPresent()) {
        checkUsable(
            "spec.nodes[" + i + "].address", address.get(), nodeCidr, NODE_ADVICE, problems);
      }
    }
    var endpoint =
        spec.getControlPlane() == null ? null : spec.getControlPlane().getEndpoint();
    Optional<IPAddress> vip =
        endpoint == null ? Optional.empty() : Addresses.parseAddress(endpoint.getVip());
    if (vip.isPresent()
        && !checkUsable("spec.controlPlane.endpoint.vip", vip.get(), nodeCidr, VIP_ADVICE, problems)
        && network != null) {
      checkVipOutsideClusterRanges(network, vip.get(), problems);
    }
    if (network != null) {
      cleanCidr(network.getPodCIDR()).ifPresent(pods -> checkPodRange(pods, nodes.size(), problems));
    }
  }

  /** Reports an address no machine can use as its own; true when it did. */
  private static boolean checkUsable(
      String path,
      IPAddress address,
      Optional<IPAddress> nodeCidr,
      String advice,
      Problems problems) {
    String kind = null;
    if (address.isAnyLocal()) {
      kind = "the unspecified address, which means every address of a machine";
    } else if (address.isLoopback()) {
      kind = "a loopback address, which every machine has for itself";
    } else if (address.isMulticast()) {
      kind = "a multicast address";
    } else if (address.isLinkLocal()) {
      kind = "a link-local address, which changes with the link and is not routed";
    } else if (address.isIPv4() && address.getValue().equals(BigInteger.valueOf(0xffffffffL))) {
      kind = "the broadcast address";
    } else if (nodeCidr.isPresent() && Addresses.contains(nodeCidr.get(), address)) {
      IPAddress block = nodeCidr.get().toPrefixBlock();
      int hostBits = address.getBitCount() - block.getNetworkPrefixLength();
      if (hostBits >= 2 && address.equals(block.getLower().withoutPrefixLength())) {
        kind = "the network address of spec.network.nodeCIDR " + block;
      } else if (address.isIPv4()
          && hostBits >= 2
          && address.equals(block.getUpper().withoutPrefixLength())) {
        kind = "the broadcast address of spec.network.nodeCIDR " + block;
      }
    }
    if (kind == null) {
      return false;
    }
    problems.error(path, address + " is " + kind + "; " + advice);
    return true;
  }

  private static void checkVipOutsideClusterRanges(
      NetworkSpec network, IPAddress vip, Problems problems) {
    String path = "spec.controlPlane.endpoint.vip";
    Optional<IPAddress> services = cleanCidr(network.getServiceCIDR());
    if (services.isPresent() && Addresses.contains(services.get(), vip)) {
      String first = Addresses.nth(services.get(), 1);
      problems.error(
          path,
          vip
              + (vip.toCanonicalString().equals(first)
                  ? " is the apiserver's Service IP (the first address of spec.network.serviceCIDR "
                  : " lies inside spec.network.serviceCIDR (")
              + services.get().toPrefixBlock()
              + "); the VIP must be a free address on the home network");
      return;
    }
    Optional<IPAddress> pods = cleanCidr(network.getPodCIDR());
    if (pods.isPresent() && Addresses.contains(pods.get(), vip)) {
      problems.error(
          path,
          vip
              + " lies inside spec.network.podCIDR ("
              + pods.get().toPrefixBlock()
              + "); the VIP must be a free address on the home network");
    }
  }

  private static void checkPodRange(IPAddress pods, int nodeCount, Problems problems) {
    String path = "spec.network.podCIDR";
    int prefix = pods.getNetworkPrefixLength();
    int mask = pods.isIPv4() ? NODE_MASK_IPV4 : NODE_MASK_IPV6;
    String block = pods.toPrefixBlock().toString();
    if (prefix > mask) {
      problems.error(
          path,
          block
              + " is smaller than the /"
              + mask
              + " the controller-manager gives each node; use a /"
              + Math.max(0, mask - bitsFor(nodeCount))
              + " or wider");
    } else if (mask - prefix > MAX_NODE_MASK_BITS) {
      problems.error(
          path,
          block
              + " is too wide for the controller-manager, which splits it into /"
              + mask
              + " per node and allows at most "
              + MAX_NODE_MASK_BITS
              + " bits between the two; use a /"
              + (mask - MAX_NODE_MASK_BITS)
              + " or narrower");
    } else if (BigInteger.ONE.shiftLeft(mask - prefix).compareTo(BigInteger.valueOf(nodeCount)) < 0) {
      problems.error(
          path,
          block
              + " holds "
              + (1 << (mask - prefix))
              + " node ranges of /"
              + mask
              + " but there are "
              + nodeCount
              + " nodes; use a /"
              + (mask - bitsFor(nodeCount))
              + " or wider");
    }
  }

  /** Bits needed to number n ranges. */
  private static int bitsFor(int n) {
    return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
  }

  /** The CIDR when it parses without host bits (NetworkRules reports the others). */
  private static Optional<IPAddress> cleanCidr(String text) {
    return Addresses.parseCidr(text).filter(c -> !Addresses.hasHostBits(c));
  }
}
