package dev.homecluster.render.backup;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.net.Addresses;
import inet.ipaddr.IPAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The NFS server's {@code /etc/exports}: which clients may mount the backup export, and as whom
 * their writes land.
 *
 * <h2>Who the clients are, as the server sees them</h2>
 *
 * Every client is a kubelet mounting the volume from its node's own network namespace through the
 * Service's cluster IP (see {@link NfsExport}). kube-proxy runs with {@code clusterCIDR} set to
 * the pod network, so it masquerades traffic to a cluster IP whose source lies outside the pod
 * network, which is all traffic from a node's own namespace. After the DNAT to the server's pod
 * the packet leaves through flannel's VXLAN device ({@code flannel.1}, which holds the network
 * address of the node's pod subnet, {@code 10.244.N.0}) or, on the backup node itself, through
 * the {@code cni0} bridge (its gateway, {@code 10.244.N.1}). So the server sees a node as the
 * first two addresses of that node's pod subnet, never as its address on the home network: an
 * export to the node addresses or the node CIDR would refuse every mount.
 *
 * <p>Pods never get those two addresses (host-local IPAM hands out {@code .2} upwards), and a pod's
 * own traffic to a cluster IP is not masqueraded, so a pod reaches the server with its pod address
 * and is refused. The export therefore lists, for every subnet the controller-manager can give a
 * node (the pod network split at its node mask, {@value #IPV4_NODE_MASK} for IPv4 and {@value
 * #IPV6_NODE_MASK} for IPv6, the defaults of {@code --node-cidr-mask-size}), that subnet's first
 * two addresses as one {@code /31} ({@code /127}). Subnets are assigned at run time and, after
 * nodes are replaced, not necessarily the first ones, so all of them are listed: 256 entries for
 * a {@code /16}. A pod network more than {@value #MAX_SUBNET_BITS} bits wider than the node mask
 * would make a list too long to be checked per mount; such a network is exported as a whole,
 * which admits pods too (the docs say so, and a NetworkPolicy-enforcing CNI closes it).
 *
 * <h2>Options</h2>
 *
 * <ul>
 *   <li>{@code all_squash,anonuid,anongid}: every client user, root included, writes as {@value
 *       #BACKUP_UID}. The backup jobs run as root; with {@code no_root_squash} any root on any
 *       node could also chown, and make set-uid files, on the backup node's pool. They do not need
 *       to: the rsync job keeps owners, modes, ACLs and device numbers as extended attributes
 *       ({@code -M--fake-super}, which NFS 4.2 carries), and the etcd snapshots are plain files.
 *       The NFS server's init container gives the export to {@value #BACKUP_UID} once.
 *   <li>{@code insecure}: clients' source ports are not checked to be below 1024. The check only
 *       means something when the port is the client's own; kube-proxy's masquerade rewrites it
 *       ({@code --random-fully}), so {@code secure} would refuse the kubelets.
 *   <li>{@code fsid=0}: the export is the NFSv4 pseudo-root that clients mount as {@code /}.
 *   <li>{@code sync}: a write is acknowledged once it is on the pool.
 * </ul>
 */
public final class NfsExports {
  /** The uid and gid every client user writes as (Debian reserves 65000-65533, unallocated). */
  public static final long BACKUP_UID = 65533;

  static final int IPV4_NODE_MASK = 24;
  static final int IPV6_NODE_MASK = 64;
  static final int MAX_SUBNET_BITS = 12;

  /** The options of every client entry, in exportfs syntax. */
  public static final String OPTIONS =
      "rw,sync,fsid=0,no_subtree_check,insecure,all_squash,anonuid=" + BACKUP_UID + ",anongid=" + BACKUP_UID;

  private NfsExports() {}

  /** The client specifications admitted to the export: one /31 (/127) per node pod subnet. */
  public static List<String> clients(HomeClusterSpec spec) {
    IPAddress pods =
        Addresses.parseCidr(spec.getNetwork().getPodCIDR())
            .orElseThrow(() -> new IllegalArgumentException("podCIDR is not a CIDR"))
            .toPrefixBlock();
    int nodeMask = pods.isIPv4() ? IPV4_NODE_MASK : IPV6_NODE_MASK;
    int prefix = pods.getNetworkPrefixLength();
    int bits = Math.max(0, nodeMask - prefix);
    if (bits > MAX_SUBNET_BITS) {
      return List.of(pods.toCanonicalString());
    }
    int pair = pods.getBitCount() - 1;
    List<String> clients = new ArrayList<>(1 << bits);
    Iterator<? extends IPAddress> subnets =
        pods.setPrefixLength(Math.max(nodeMask, prefix), false).prefixBlockIterator();
    while (subnets.hasNext()) {
      IPAddress first = subnets.next().getLower().withoutPrefixLength();
      clients.add(first.setPrefixLength(pair, false).toPrefixBlock().toCanonicalString());
    }
    return clients;
  }

  /** {@code /etc/exports} for the server's shared directory: one line, every client. */
  public static String file(HomeClusterSpec spec, String sharedDirectory) {
    StringBuilder file =
        new StringBuilder()
            .append("# Rendered by homecluster-operator: the backup export, for the cluster's nodes only.\n")
            .append("# Each entry is one node pod subnet's first two addresses, which the server sees\n")
            .append("# as a node's source after kube-proxy's masquerade (see NfsExports).\n")
            .append(sharedDirectory);
    for (String client : clients(spec)) {
      file.append(" \\\n  ").append(client).append('(').append(OPTIONS).append(')');
    }
    return file.append('\n').toString();
  }
}
