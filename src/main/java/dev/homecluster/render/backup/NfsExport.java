package dev.homecluster.render.backup;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.net.Addresses;
import io.fabric8.kubernetes.api.model.NFSVolumeSource;
import io.fabric8.kubernetes.api.model.NFSVolumeSourceBuilder;

/**
 * Where clients reach the backup node's NFS export.
 *
 * <p>The kubelet mounts NFS volumes from the node's own network namespace, where cluster DNS
 * names such as {@code nfs-server.homecluster-backup.svc} usually do not resolve. So volumes
 * name the server by address: the NFS Service gets a fixed cluster IP, the {@value
 * #SERVICE_IP_OFFSET}th address of the service network (after the apiserver's first and the
 * conventional DNS address, tenth). kube-proxy, which runs on every node, forwards it from the
 * host too. The address is known at render time, never changes while serviceCIDR does not, and
 * keeps the export off the home network (no hostNetwork, no hostPort).
 *
 * @param server the address clients mount
 * @param path the exported path as clients name it (the server exports its directory as the NFSv4
 *     root)
 */
public record NfsExport(String server, String path) {
  /** Offset of the NFS Service's cluster IP in the service network. */
  public static final long SERVICE_IP_OFFSET = 11;

  /** The NFS export of a spec with backups. */
  public static NfsExport of(HomeClusterSpec spec) {
    return new NfsExport(serviceIp(spec), "/");
  }

  /** The fixed cluster IP of the NFS Service. */
  public static String serviceIp(HomeClusterSpec spec) {
    return Addresses.nth(spec.getNetwork().getServiceCIDR(), SERVICE_IP_OFFSET);
  }

  /** An inline volume source for pods outside the backup namespace (which cannot use its PVC). */
  public NFSVolumeSource volumeSource() {
    return new NFSVolumeSourceBuilder().withServer(server).withPath(path).build();
  }
}
