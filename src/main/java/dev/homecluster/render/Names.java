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
  /**
   * Every namespace the operator writes namespaced objects to and reads them from, by default: the
   * control plane's, the backups' and Rook's default ({@code spec.storage.ceph.namespace}). Its
   * informers of namespaced kinds watch these alone; the chart's {@code rbac.namespaces} lists the
   * same (a Role in each) and passes them to the operator (HOMECLUSTER_NAMESPACES).
   */
  public static final java.util.List<String> OPERATOR_NAMESPACES =
      java.util.List.of(CONTROL_PLANE_NAMESPACE, BACKUP_NAMESPACE, dev.homecluster.api.v1alpha1.CephSpec.DEFAULT_NAMESPACE);

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
  /**
   * Component label of the generated Secrets below (they are not rendered, but carry the common
   * labels so the operator's label-scoped informers see them, also when applied from {@code render
   * --bootstrap}).
   */
  public static final String PKI = "pki";

  // Backups, in BACKUP_NAMESPACE.
  /** The PersistentVolume of the backup node's NFS export (cluster-scoped). */
  public static final String BACKUP_NFS_PV = "homecluster-backup-nfs";
  /** The claim bound to {@link #BACKUP_NFS_PV}, for workloads in {@link #BACKUP_NAMESPACE}. */
  public static final String BACKUP_NFS_PVC = "backup-nfs";
  /** Directory under the NFS export holding results of the backup jobs. */
  public static final String BACKUP_RESULTS_DIR = ".homecluster";
  /** Directory under the NFS export holding etcd snapshots. */
  public static final String ETCD_SNAPSHOTS_DIR = "etcd";

  // Secrets the operator generates at run time, in CONTROL_PLANE_NAMESPACE (never rendered,
  // never printed). Keys are listed for each; PEM-encoded.
  /** Cluster CA: ca.crt, ca.key. */
  public static final String CLUSTER_CA_SECRET = "homecluster-ca";
  /** etcd CA: ca.crt, ca.key. */
  public static final String ETCD_CA_SECRET = "homecluster-etcd-ca";
  /** Front-proxy CA: ca.crt, ca.key. */
  public static final String FRONT_PROXY_CA_SECRET = "homecluster-front-proxy-ca";
  /** Service-account signing key pair: sa.key, sa.pub. */
  public static final String SERVICE_ACCOUNT_KEY_SECRET = "homecluster-sa-keys";
  /**
   * etcd member certificates of every master in one Secret, so the installer DaemonSet mounts one
   * Secret: ca.crt (etcd CA) and, per master, see {@link #etcdMemberKey}.
   */
  public static final String ETCD_MEMBERS_SECRET = "homecluster-etcd-members";
  /** apiserver's client certificate for etcd: ca.crt (etcd CA), tls.crt, tls.key. */
  public static final String APISERVER_ETCD_CLIENT_SECRET = "homecluster-apiserver-etcd-client";
  /** apiserver serving certificate: tls.crt, tls.key (ca.crt: cluster CA). */
  public static final String APISERVER_SERVING_SECRET = "homecluster-apiserver-serving";
  /** apiserver's client certificate for kubelets: tls.crt, tls.key. */
  public static final String APISERVER_KUBELET_CLIENT_SECRET = "homecluster-apiserver-kubelet-client";
  /** Front-proxy client certificate (aggregation layer): tls.crt, tls.key. */
  public static final String FRONT_PROXY_CLIENT_SECRET = "homecluster-front-proxy-client";
  /** Secret-at-rest encryption configuration: encryption-config.yaml. */
  public static final String ENCRYPTION_CONFIG_SECRET = "homecluster-encryption-config";
  /** etcd client certificate for snapshots and health checks: ca.crt, tls.crt, tls.key. */
  public static final String ETCD_CLIENT_SECRET = "homecluster-etcd-client";
  /**
   * kube-controller-manager's client certificate, CN {@code system:kube-controller-manager} (the
   * user Kubernetes' default RBAC binds): tls.crt, tls.key.
   */
  public static final String CONTROLLER_MANAGER_CLIENT_SECRET = "homecluster-controller-manager-client";
  /**
   * kube-scheduler's client certificate, CN {@code system:kube-scheduler} (the user Kubernetes'
   * default RBAC binds): tls.crt, tls.key.
   */
  public static final String SCHEDULER_CLIENT_SECRET = "homecluster-scheduler-client";
  /** VRRP authentication password: auth-pass (8 characters). */
  public static final String VRRP_AUTH_SECRET = "homecluster-vrrp-auth";
  /** Key of the password in {@link #VRRP_AUTH_SECRET}. */
  public static final String VRRP_AUTH_PASS_KEY = "auth-pass";

  /** ConfigMap of the apiserver's structured authentication configuration. */
  public static final String APISERVER_AUTHENTICATION_CONFIG = "kube-apiserver-authentication";
  /** ConfigMap with the apiserver's audit policy, in {@link #CONTROL_PLANE_NAMESPACE}. */
  public static final String APISERVER_AUDIT_POLICY = "kube-apiserver-audit-policy";

  /**
   * ConfigMaps of the kubeconfigs of kube-controller-manager and kube-scheduler: the VIP and the
   * paths of the client certificate the pod mounts from its Secret (no key material).
   */
  public static final String CONTROLLER_MANAGER_KUBECONFIG = "kube-controller-manager-kubeconfig";
  public static final String SCHEDULER_KUBECONFIG = "kube-scheduler-kubeconfig";

  /**
   * Common name of the front-proxy client certificate ({@link #FRONT_PROXY_CLIENT_SECRET}); the
   * apiserver accepts request headers only from it ({@code --requestheader-allowed-names}).
   */
  public static final String FRONT_PROXY_CLIENT_CN = "front-proxy-client";

  // Keys (file names) inside the generated Secrets above, as documented on each Secret.
  /** A CA certificate (the CA Secrets; also the issuing CA in leaf Secrets that carry it). */
  public static final String CA_CERT_KEY = "ca.crt";
  /** A CA private key (only in the CA Secrets). */
  public static final String CA_PRIVATE_KEY_KEY = "ca.key";
  /** A leaf certificate. */
  public static final String TLS_CERT_KEY = "tls.crt";
  /** A leaf private key. */
  public static final String TLS_PRIVATE_KEY_KEY = "tls.key";
  /** The service-account signing key (private). */
  public static final String SA_PRIVATE_KEY_KEY = "sa.key";
  /** The service-account verification key (public). */
  public static final String SA_PUBLIC_KEY_KEY = "sa.pub";
  /** The EncryptionConfiguration file in {@link #ENCRYPTION_CONFIG_SECRET}. */
  public static final String ENCRYPTION_CONFIG_KEY = "encryption-config.yaml";
  /** File names of one etcd member, passed to {@link #etcdMemberKey}. */
  public static final String ETCD_SERVER_CERT_FILE = "server.crt";
  public static final String ETCD_SERVER_KEY_FILE = "server.key";
  public static final String ETCD_PEER_CERT_FILE = "peer.crt";
  public static final String ETCD_PEER_KEY_FILE = "peer.key";

  /**
   * Annotation on a generated Secret saying why this version was written ("created", "expires
   * ..., less than 30 days from now", "missing subject alternative names [...]"), for events.
   * Never contains key material.
   */
  public static final String GENERATED_REASON_ANNOTATION = "homecluster.dev/generated-reason";

  // Storage (Rook/Ceph), in storage.ceph.namespace unless said otherwise.
  /** The CephCluster. */
  public static final String CEPH_CLUSTER = "rook-ceph";
  /**
   * The ReadOnlyMany PersistentVolumeClaim, in {@link #BACKUP_NAMESPACE}, through which the backup
   * rsync reads the whole Ceph filesystem. Rendered by the ceph component when backups are on.
   */
  public static final String CEPHFS_BACKUP_SOURCE_PVC = "cephfs-backup-source";
  /** The static PersistentVolume (cluster-scoped) of the filesystem's root behind that claim. */
  public static final String CEPHFS_BACKUP_SOURCE_PV = "homecluster-cephfs-backup-source";
  /** The Ceph user (a Rook CephClient) that may only read the filesystem, for the backup. */
  public static final String CEPHFS_BACKUP_READER = "cephfs-backup-reader";
  /**
   * Secret with userID and userKey of {@link #CEPHFS_BACKUP_READER}, which ceph-csi needs to mount
   * a static volume. Made at run time from the Secret Rook writes for the CephClient.
   */
  public static final String CEPHFS_BACKUP_READER_SECRET = "cephfs-backup-reader-csi";
  /** Rook's Secret of the CephClient {@link #CEPHFS_BACKUP_READER} (Rook's naming). */
  public static final String CEPHFS_BACKUP_READER_ROOK_SECRET = "rook-ceph-client-" + CEPHFS_BACKUP_READER;
  /** Secrets that Rook writes for its CephFS CSI driver (Rook's names). */
  public static final String ROOK_CEPHFS_PROVISIONER_SECRET = "rook-csi-cephfs-provisioner";
  public static final String ROOK_CEPHFS_NODE_SECRET = "rook-csi-cephfs-node";

  /**
   * Run-time input: a hash of every generated Secret's content, so workloads that mount them roll
   * when a certificate is renewed. Empty when rendering for Git.
   */
  public static final String RUNTIME_SECRETS_HASH = "secrets-hash";

  /**
   * The run-time input holding one Secret's content hash, by the Secret's name: a workload's
   * input hash counts exactly the Secrets its volumes name, whatever wrote them.
   */
  public static String runtimeSecretHash(String secretName) {
    return "secret-hash/" + secretName;
  }

  /** Annotation that marks a pod template for the pod checkpointer. */
  public static final String CHECKPOINT_ANNOTATION = "checkpointer.homecluster.dev/checkpoint";

  /** Annotation carrying a hash of the inputs of a pod, so it rolls when they change. */
  public static final String INPUT_HASH_ANNOTATION = "homecluster.dev/input-hash";

  /** Annotation on an object holding the HomeCluster name, for cluster-scoped owners. */
  public static final String OWNER_ANNOTATION = "homecluster.dev/owner";

  private Names() {}

  /**
   * Key of one master's file in {@link #ETCD_MEMBERS_SECRET}: {@code <node>.server.crt},
   * {@code <node>.server.key}, {@code <node>.peer.crt}, {@code <node>.peer.key}.
   */
  public static String etcdMemberKey(String nodeName, String file) {
    return nodeName + "." + file;
  }

  /** The etcd member name of a master: its node name. */
  public static String etcdMemberName(String nodeName) {
    return nodeName;
  }
}
