package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.net.Addresses;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Node names, addresses, roles and storage devices. */
final class NodeRules implements Rule {
  /** Same as the CRD's maxItems on spec.nodes. */
  static final int MAX_NODES = 128;

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern SHORT_DEVICE = Pattern.compile("^[a-z][a-z0-9]*(p?[0-9]+)?$");
  private static final Pattern DEVICE_PATH = Pattern.compile("^/dev/[A-Za-z0-9._:+@/-]+$");

  /** Same as the CRD's maxItems on storageDevices. */
  static final int MAX_DEVICES = 32;

  /**
   * Kernel devices and directories under /dev that are not disks: writing an OSD to them loses
   * everything (/dev/null, /dev/zero), fills memory (ram, zram, shm) or hits a terminal or a file.
   */
  private static final Pattern PSEUDO_DEVICES =
      Pattern.compile(
          "^(null|zero|full|random|urandom|mem|kmem|port|console|ptmx|kmsg|stdin|stdout|stderr"
              + "|tty[A-Za-z0-9]*|loop[0-9]*|loop-control|ram[0-9]*|zram[0-9]*|sr[0-9]+|fd[0-9]*"
              + "|shm|pts|mqueue|hugepages|fuse|kvm|net|snd|input|cpu|watchdog[0-9]*)$");

  /** sdb1, vdc2, xvda1, hdb3: letters then the partition number. */
  private static final Pattern PLAIN_PARTITION = Pattern.compile("^((?:sd|vd|hd|xvd)[a-z]+)[0-9]+$");

  /** nvme0n1p1, mmcblk0p2: a name ending in a digit, then p and the partition number. */
  private static final Pattern NUMBERED_PARTITION = Pattern.compile("^([a-z]+[0-9]+(?:n[0-9]+)?)p[0-9]+$");

  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    List<NodeSpec> nodes = spec.getNodes();
    if (nodes == null || nodes.isEmpty()) {
      problems.error("spec.nodes", "at least one node is required");
      return;
    }
    if (nodes.size() > MAX_NODES) {
      // The CRD schema has the same bound; rendering thousands of etcd members would be absurd.
      problems.error("spec.nodes", "at most " + MAX_NODES + " nodes are supported, got " + nodes.size());
      return;
    }
    Map<String, Integer> names = new HashMap<>();
    Map<String, Integer> addresses = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      String path = "spec.nodes[" + i + "]";
      NodeSpec node = nodes.get(i);
      if (node == null) {
        problems.error(path, "must be a node, got null");
        continue;
      }
      checkName(node, path, names, i, problems);
      checkAddress(node, path, addresses, i, problems);
      checkRoles(node, path, problems);
      checkDevices(node, path, problems);
    }
    long masters = nodes.stream().filter(n -> n != null && n.has(Role.MASTER)).count();
    if (masters == 0) {
      problems.error("spec.nodes", "at least one node must have the master role");
    } else if (masters % 2 == 0) {
      problems.warning(
          "spec.nodes",
          masters
              + " masters make an etcd cluster of even size, which tolerates no more failures"
              + " than "
              + (masters - 1)
              + "; use an odd number");
    }
  }

  private static void checkName(
      NodeSpec node, String path, Map<String, Integer> seen, int index, Problems problems) {
    String name = node.getName();
    if (name == null || name.isEmpty()) {
      problems.error(path + ".name", "is required");
    } else if (name.length() > 63 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      problems.error(
          path + ".name",
          "must be a lowercase DNS name of at most 63 characters (a-z, 0-9, '-', '.'), got \""
              + Text.shorten(name)
              + "\"");
    } else if (seen.containsKey(name)) {
      problems.error(
          path + ".name", "\"" + name + "\" is already used by spec.nodes[" + seen.get(name) + "]");
    } else {
      seen.put(name, index);
    }
  }

  private static void checkAddress(
      NodeSpec node, String path, Map<String, Integer> seen, int index, Problems problems) {
    String address = node.getAddress();
    if (address == null || address.isEmpty()) {
      problems.error(path + ".address", "is required");
      return;
    }
    var parsed = Addresses.parseAddress(address);
    if (parsed.isEmpty()) {
      problems.error(
          path + ".address",
          "must be an IPv4 or IPv6 address, got \"" + Text.shorten(address) + "\"");
      return;
    }
    String canonical = parsed.get().toCanonicalString();
    if (seen.containsKey(canonical)) {
      problems.error(
          path + ".address",
          address + " is already used by spec.nodes[" + seen.get(canonical) + "]");
    } else {
      seen.put(canonical, index);
    }
  }

  private static void checkRoles(NodeSpec node, String path, Problems problems) {
    List<Role> roles = node.getRoles();
    if (roles == null || roles.isEmpty()) {
      problems.error(path + ".roles", "at least one of master, worker, backup is required");
      return;
    }
    Set<Role> seen = new HashSet<>();
    for (int r = 0; r < roles.size(); r++) {
      Role role = roles.get(r);
      if (role == null) {
        problems.error(path + ".roles[" + r + "]", "must be one of master, worker, backup");
      } else if (!seen.add(role)) {
        problems.error(path + ".roles[" + r + "]", "role " + role.value() + " is listed twice");
      }
    }
  }

  private static void checkDevices(NodeSpec node, String path, Problems problems) {
    List<String> devices = node.getStorageDevices();
    if (devices == null || devices.isEmpty()) {
      return;
    }
    if (!node.has(Role.WORKER)) {
      problems.error(
          path + ".storageDevices",
          "storage devices are only used on workers; add the worker role or remove them");
    }
    if (devices.size() > MAX_DEVICES) {
      problems.error(
          path + ".storageDevices",
          "at most " + MAX_DEVICES + " devices per node are supported, got " + devices.size());
      return;
    }
    Set<String> seen = new HashSet<>();
    // Kernel name (sdb for sdb and /dev/sdb) -> index of its first listing.
    Map<String, Integer> disks = new LinkedHashMap<>();
    for (int d = 0; d < devices.size(); d++) {
      String device = devices.get(d);
      String devicePath = path + ".storageDevices[" + d + "]";
      if (device == null || device.isEmpty()) {
        problems.error(devicePath, "must not be empty");
      } else if (device.contains("..")) {
        problems.error(devicePath, "must not contain '..', got \"" + Text.shorten(device) + "\"");
      } else if (device.startsWith("/")) {
        if (!DEVICE_PATH.matcher(device).matches()) {
          problems.error(
              devicePath,
              "must be a path under /dev/ (for example /dev/disk/by-id/ata-...), got \""
                  + Text.shorten(device)
                  + "\"");
        }
      } else if (!SHORT_DEVICE.matcher(device).matches()) {
        problems.error(
            devicePath,
            "must be a device name such as sdb or nvme0n1, or an absolute /dev/ path; relative"
                + " paths are not allowed, got \""
                + Text.shorten(device)
                + "\"");
      }
      if (device == null || problems.hasErrorAt(devicePath)) {
        continue;
      }
      if (!seen.add(device)) {
        problems.error(devicePath, "device " + device + " is listed twice");
        continue;
      }
      String kernelName = kernelName(device);
      String pseudo = PSEUDO_DEVICES.matcher(kernelName).matches() ? kernelName : null;
      if (pseudo != null) {
        problems.error(
            devicePath,
            device
                + " is not a disk but a pseudo device of the kernel; list the worker's disks, such"
                + " as sdb or /dev/disk/by-id/...");
      } else if (disks.containsKey(kernelName)) {
        problems.error(
            devicePath,
            device
                + " is the same disk as "
                + path
                + ".storageDevices["
                + disks.get(kernelName)
                + "] ("
                + devices.get(disks.get(kernelName))
                + ")");
      } else {
        disks.put(kernelName, d);
      }
    }
    // A disk and one of its own partitions: Ceph would format the disk under the partition's OSD.
    for (var entry : disks.entrySet()) {
      String parent = parentDisk(entry.getKey());
      if (parent != null && disks.containsKey(parent)) {
        int d = entry.getValue();
        problems.error(
            path + ".storageDevices[" + d + "]",
            devices.get(d)
                + " is a partition of "
                + devices.get(disks.get(parent))
                + ", which "
                + path
                + ".storageDevices["
                + disks.get(parent)
                + "] already gives Ceph whole");
      }
    }
  }

  /**
   * The kernel's name of a device given by kernel name or as {@code /dev/<name>}: sdb for both sdb
   * and /dev/sdb, so the same disk is found however it is written. Stable paths
   * (/dev/disk/by-id/...) are kept as they are: only the machine knows which disk they name.
   */
  static String kernelName(String device) {
    if (device.startsWith("/dev/")) {
      String rest = device.substring("/dev/".length());
      // /dev/shm/x, /dev/pts/0: judged by their first segment.
      String first = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
      return PSEUDO_DEVICES.matcher(first).matches() || !rest.contains("/") ? first : device;
    }
    return device;
  }

  /**
   * The whole disk a partition's kernel name belongs to (sdb for sdb1, nvme0n1 for nvme0n1p1,
   * mmcblk0 for mmcblk0p2), or null when the name is not a partition's.
   */
  static String parentDisk(String kernelName) {
    var numbered = NUMBERED_PARTITION.matcher(kernelName);
    if (numbered.matches()) {
      return numbered.group(1);
    }
    var plain = PLAIN_PARTITION.matcher(kernelName);
    return plain.matches() ? plain.group(1) : null;
  }
}
