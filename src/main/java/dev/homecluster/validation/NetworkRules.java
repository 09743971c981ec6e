package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NetworkSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.net.Addresses;
import inet.ipaddr.IPAddress;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Pod, service and node networks: syntax, size, and no overlaps. */
final class NetworkRules implements Rule {
  private static final Pattern DOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    NetworkSpec network = spec.getNetwork();
    if (network == null) {
      return;
    }
    // The home network first, so an overlap is reported on the pod or service range.
    Map<String, IPAddress> blocks = new LinkedHashMap<>();
    Optional<IPAddress> nodes = cidr("spec.network.nodeCIDR", network.getNodeCIDR(), false, problems);
    nodes.ifPresent(b -> blocks.put("spec.network.nodeCIDR", b));
    cidr("spec.network.podCIDR", network.getPodCIDR(), true, problems)
        .ifPresent(b -> blocks.put("spec.network.podCIDR", b));
    Optional<IPAddress> services =
        cidr("spec.network.serviceCIDR", network.getServiceCIDR(), true, problems);
    services.ifPresent(b -> blocks.put("spec.network.serviceCIDR", b));

    List<String> paths = List.copyOf(blocks.keySet());
    for (int i = 0; i < paths.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (Addresses.overlap(blocks.get(paths.get(i)), blocks.get(paths.get(j)))) {
          problems.error(paths.get(i), "overlaps " + paths.get(j) + " (" + blocks.get(paths.get(j)) + ")");
        }
      }
    }
    services.ifPresent(
        s -> {
          if (Addresses.size(s).compareTo(BigInteger.valueOf(16)) < 0) {
            problems.error(
                "spec.network.serviceCIDR",
                "is too small: the apiserver takes its first address and CoreDNS its tenth");
          }
        });
    if (!problems.hasErrorAt("spec.network.")) {
      checkNodeAddresses(spec, blocks, nodes, problems);
    }
    String domain = network.getClusterDomain();
    if (domain == null || domain.length() > 253 || !DOMAIN.matcher(domain).matches()) {
      problems.error(
          "spec.network.clusterDomain",
          "must be a lowercase DNS domain such as cluster.local, got \""
              + (domain == null ? "" : Text.shorten(domain))
              + "\"");
    }
  }

  private static Optional<IPAddress> cidr(String path, String text, boolean required, Problems problems) {
    if (text == null || text.isEmpty()) {
      if (required) {
        problems.error(path, "is required");
      }
      return Optional.empty();
    }
    Optional<IPAddress> block = Addresses.parseCidr(text);
    if (block.isEmpty()) {
      problems.error(path, "must be a CIDR such as 10.244.0.0/16, got \"" + Text.shorten(text) + "\"");
      return Optional.empty();
    }
    if (Addresses.hasHostBits(block.get())) {
      problems.error(
          path,
          "has host bits set; did you mean " + block.get().toPrefixBlock().toCanonicalString() + "?");
      return Optional.empty();
    }
    return block;
  }

  private static void checkNodeAddresses(
      HomeClusterSpec spec, Map<String, IPAddress> blocks, Optional<IPAddress> nodeCidr, Problems problems) {
    if (spec.getNodes() == null) {
      return;
    }
    for (int i = 0; i < spec.getNodes().size(); i++) {
      NodeSpec node = spec.getNodes().get(i);
      Optional<IPAddress> address = node == null ? Optional.empty() : Addresses.parseAddress(node.getAddress());
      String path = "spec.nodes[" + i + "].address";
      if (address.isEmpty() || problems.hasErrorAt(path)) {
        // Unparseable, or refused by AddressRules (loopback, multicast, ...): one error says enough.
        continue;
      }
      for (var entry : blocks.entrySet()) {
        if (!entry.getKey().equals("spec.network.nodeCIDR") && Addresses.contains(entry.getValue(), address.get())) {
          problems.error(path, address.get() + " lies inside " + entry.getKey() + " " + entry.getValue());
        }
      }
      if (nodeCidr.isPresent() && !Addresses.contains(nodeCidr.get(), address.get())) {
        problems.error(path, address.get() + " is outside spec.network.nodeCIDR " + nodeCidr.get());
      }
    }
  }
}
