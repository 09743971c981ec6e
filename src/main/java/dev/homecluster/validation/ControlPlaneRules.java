package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.CertificatesSpec;
import dev.homecluster.api.v1alpha1.ControlPlaneSpec;
import dev.homecluster.api.v1alpha1.EndpointSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.net.Addresses;
import dev.homecluster.render.controlplane.ControllerManagerDeployment;
import dev.homecluster.render.controlplane.EtcdStaticPod;
import dev.homecluster.render.controlplane.SchedulerDeployment;
import dev.homecluster.render.endpoint.HaproxyConfig;
import inet.ipaddr.IPAddress;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Kubernetes version, the endpoint (VIP, ports, VRRP) and certificate lifetimes. */
final class ControlPlaneRules implements Rule {
  private static final Pattern VERSION = Pattern.compile("^1\\.(\\d+)\\.(\\d+)$");
  private static final Pattern INTERFACE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,14}$");
  // The apiserver lets only health endpoints through anonymously via AuthenticationConfiguration
  // anonymous.conditions, which Kubernetes 1.32 introduced.
  private static final int MIN_MINOR = 32;

  /**
   * TCP ports already bound on every master's host network: sshd, etcd, the kubelet, kube-proxy
   * (its defaults: metrics on 10249, health on 10256), the controller-manager, the scheduler and
   * HAProxy's health check. The CRD refuses the same list ({@code HostPortSchema}).
   */
  static final Map<Integer, String> RESERVED_PORTS =
      Map.ofEntries(
          Map.entry(22, "sshd"),
          Map.entry(EtcdStaticPod.CLIENT_PORT, "etcd clients"),
          Map.entry(EtcdStaticPod.PEER_PORT, "etcd peers"),
          Map.entry(EtcdStaticPod.METRICS_PORT, "etcd metrics"),
          Map.entry(10248, "the kubelet's health check"),
          Map.entry(10249, "kube-proxy metrics"),
          Map.entry(10250, "the kubelet"),
          Map.entry(10256, "kube-proxy health"),
          Map.entry(ControllerManagerDeployment.SECURE_PORT, "kube-controller-manager"),
          Map.entry(SchedulerDeployment.SECURE_PORT, "kube-scheduler"),
          Map.entry(HaproxyConfig.HEALTH_PORT, "the endpoint's HAProxy health check"));

  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    checkVersion(spec, problems);
    ControlPlaneSpec cp = spec.getControlPlane();
    if (cp == null) {
      problems.error("spec.controlPlane", "is required (at least controlPlane.endpoint.vip)");
      return;
    }
    EndpointSpec endpoint = cp.getEndpoint();
    if (endpoint == null) {
      problems.error("spec.controlPlane.endpoint", "is required (at least vip)");
    } else {
      checkEndpoint(spec, endpoint, problems);
    }
    Integer apiServerPort = cp.getApiServerPort();
    checkPort("spec.controlPlane.apiServerPort", apiServerPort, problems);
    if (endpoint != null && apiServerPort != null && apiServerPort.equals(endpoint.getPort())) {
      problems.error(
          "spec.controlPlane.apiServerPort",
          "must differ from controlPlane.endpoint.port ("
              + endpoint.getPort()
              + "): HAProxy and the apiserver share each master's host network");
    }
    checkCertificates(cp.getCertificates(), problems);
  }

  private static void checkVersion(HomeClusterSpec spec, Problems problems) {
    String version = spec.getKubernetesVersion();
    var m = version == null ? null : VERSION.matcher(version);
    if (m == null || !m.matches()) {
      problems.error(
          "spec.kubernetesVersion",
          "must be a Kubernetes version such as 1.34.2 (no leading v), got \""
              + (version == null ? "" : Text.shorten(version))
              + "\"");
    } else if (Integer.parseInt(m.group(1)) < MIN_MINOR) {
      problems.error(
          "spec.kubernetesVersion", "Kubernetes 1." + MIN_MINOR + " or newer is required");
    }
  }

  private static void checkEndpoint(HomeClusterSpec spec, EndpointSpec endpoint, Problems problems) {
    String path = "spec.controlPlane.endpoint";
    Optional<IPAddress> vip = Addresses.parseAddress(endpoint.getVip());
    if (endpoint.getVip() == null || endpoint.getVip().isEmpty()) {
      problems.error(path + ".vip", "is required");
    } else if (vip.isEmpty()) {
      problems.error(
          path + ".vip",
          "must be an IPv4 or IPv6 address, got \"" + Text.shorten(endpoint.getVip()) + "\"");
    } else if (!problems.hasErrorAt(path + ".vip")) {
      // AddressRules has already refused a VIP no machine can hold; one error says enough.
      checkVipPlacement(spec, vip.get(), path + ".vip", problems);
    }
    checkPort(path + ".port", endpoint.getPort(), problems);
    Integer vrid = endpoint.getVirtualRouterId();
    if (vrid == null || vrid < 1 || vrid > 255) {
      problems.error(path + ".virtualRouterId", "must be between 1 and 255, got " + vrid);
    }
    String iface = endpoint.getInterfaceName();
    if (iface == null || !INTERFACE.matcher(iface).matches()) {
      problems.error(
          path + ".interface",
          "must be a network interface name of at most 15 characters, got \""
              + (iface == null ? "" : Text.shorten(iface))
              + "\"");
    }
  }

  private static void checkVipPlacement(
      HomeClusterSpec spec, IPAddress vip, String path, Problems problems) {
    if (spec.getNodes() == null) {
      return;
    }
    for (int i = 0; i < spec.getNodes().size(); i++) {
      NodeSpec node = spec.getNodes().get(i);
      Optional<IPAddress> address = node == null ? Optional.empty() : Addresses.parseAddress(node.getAddress());
      if (address.isPresent() && address.get().equals(vip)) {
        problems.error(
            path,
            "must not be a node's address; " + vip + " is spec.nodes[" + i + "].address"
                + " (pick a free address in the masters' subnet)");
        return;
      }
    }
    String nodeCidr = spec.getNetwork() == null ? null : spec.getNetwork().getNodeCIDR();
    Optional<IPAddress> subnet = Addresses.parseCidr(nodeCidr);
    if (subnet.isPresent()) {
      if (!Addresses.contains(subnet.get(), vip)) {
        problems.error(path, vip + " is outside network.nodeCIDR " + nodeCidr);
      }
      return;
    }
    // Without a declared subnet, the masters' /24 (or /64) is the best guess.
    for (NodeSpec master : spec.getNodes()) {
      if (master == null || !master.has(Role.MASTER)) {
        continue;
      }
      Optional<IPAddress> address = Addresses.parseAddress(master.getAddress());
      if (address.isEmpty()) {
        continue;
      }
      int prefix = address.get().isIPv4() ? 24 : 64;
      IPAddress guess = address.get().toPrefixBlock(prefix);
      if (!Addresses.contains(guess, vip)) {
        problems.warning(
            path,
            vip
                + " is not in the /"
                + prefix
                + " of master "
                + master.getName()
                + " ("
                + master.getAddress()
                + "); VRRP only works inside the masters' subnet. Set network.nodeCIDR to"
                + " check this exactly");
        return;
      }
    }
  }

  private static void checkPort(String path, Integer port, Problems problems) {
    if (port == null || port < 1 || port > 65535) {
      problems.error(path, "must be a TCP port between 1 and 65535, got " + port);
    } else if (RESERVED_PORTS.containsKey(port)) {
      problems.error(path, "port " + port + " is used by " + RESERVED_PORTS.get(port) + " on the masters");
    }
  }

  private static void checkCertificates(CertificatesSpec certs, Problems problems) {
    if (certs == null) {
      return;
    }
    String path = "spec.controlPlane.certificates";
    Integer validity = certs.getValidityDays();
    Integer renew = certs.getRenewBeforeDays();
    Integer caValidity = certs.getCaValidityDays();
    if (validity == null || validity < 2) {
      problems.error(path + ".validityDays", "must be at least 2, got " + validity);
    } else if (validity > 3650) {
      problems.error(path + ".validityDays", "must be at most 3650, got " + validity);
    }
    if (caValidity != null && (caValidity < 30 || caValidity > 36500)) {
      problems.error(path + ".caValidityDays", "must be between 30 and 36500, got " + caValidity);
      caValidity = null;
    }
    if (renew == null || renew < 1) {
      problems.error(path + ".renewBeforeDays", "must be at least 1, got " + renew);
    } else if (validity != null && renew >= validity) {
      problems.error(
          path + ".renewBeforeDays",
          "must be less than validityDays (" + validity + "), or certificates renew forever");
    }
    if (caValidity != null && validity != null && caValidity < validity) {
      problems.error(
          path + ".caValidityDays", "must be at least validityDays (" + validity + ")");
    }
  }
}
