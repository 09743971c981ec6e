package dev.homecluster.render;

/**
 * Every name the operator gives an object, label or Secret, in one place. Main code and tests use
 * these, never string literals, so a rename is one edit.
 */
public final class Names {
  /** Field manager of every server-side apply, and the managed-by label's value. */
  public static final String OPERATOR = "homecluster-operator";

  // Namespaces.
  /** Control plane, endpoint (keepalived + HAProxy) and node-level agents. */
  public static final String CONTROL_PLANE_NAMESPACE = "kube-system";
  /** NFS server and backup jobs. */
  public static final String BACKUP_NAMESPACE = "homecluster-backup";

  // Component names: the app.kubernetes.io/component label and the workload's name.
  public static final String NODE_ROLES = "node-roles";
  public static final String ETCD = "etcd";
  public static final String ETCD_INSTALLER = "etcd-installer";
  public static final String KUBE_APISERVER = "kube-apiserver";
  public static final String KUBE_CONTROLLER_MANAGER = "kube-controller-manager";
  public static final String KUBE_SCHEDULER = "kube-scheduler";
  public static final String COREDNS = "coredns";
  public static final String FLANNEL = "kube-flannel";
  public static final String KUBE_PROXY = "kube-proxy";
  public static final String POD_CHECKPOINTER = "pod-checkpointer";
  public static final String ENDPOINT = "apiserver-endpoint";
  public static final String CEPH = "ceph";
  public static final String NFS_SERVER = "nfs-server";
  public static final String BACKUP_RSYNC = "backup-rsync";
  public static final String ZFS_SNAPSHOT = "zfs-snapshot";
  public static final String ETCD_SNAPSHOT = "etcd-snapshot";

  // Secrets the operator generates at run time (never rendered, never printed).
  /** Cluster CA: keys ca.crt, ca.key. */
  public static final String CLUSTER_CA_SECRET = "homecluster-ca";
  /** etcd CA: keys ca.crt, ca.key. */
  public static final String ETCD_CA_SECRET = "homecluster-etcd-ca";
  /** Front-proxy CA: keys ca.crt, ca.key. */
  public static final String FRONT_PROXY_CA_SECRET = "homecluster-front-proxy-ca";
  /** Service-account signing key pair: keys sa.key, sa.pub. */
  public static final String SERVICE_ACCOUNT_KEY_SECRET = "homecluster-sa-keys";
  /** VRRP authentication password: key auth-pass (8 characters). */
  public static final String VRRP_AUTH_SECRET = "homecluster-vrrp-auth";

  /** Annotation that marks a pod template for the pod checkpointer. */
  public static final String CHECKPOINT_ANNOTATION = "checkpointer.homecluster.dev/checkpoint";

  /** Annotation carrying a hash of the inputs of a pod, so it rolls when they change. */
  public static final String INPUT_HASH_ANNOTATION = "homecluster.dev/input-hash";

  /** Annotation on an object holding the HomeCluster name, for cluster-scoped owners. */
  public static final String OWNER_ANNOTATION = "homecluster.dev/owner";

  private Names() {}

  /** etcd member Secret of one master: keys server.crt/key, peer.crt/key, ca.crt. */
  public static String etcdMemberSecret(String nodeName) {
    return "homecluster-etcd-" + nodeName;
  }

  /** The etcd member name of a master: its node name. */
  public static String etcdMemberName(String nodeName) {
    return nodeName;
  }
}
