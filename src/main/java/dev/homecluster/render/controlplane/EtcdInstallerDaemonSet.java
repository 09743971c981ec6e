package dev.homecluster.render.controlplane;

import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Component;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Installs etcd on every master: a DaemonSet whose pod writes its node's {@link EtcdStaticPod}
 * manifest and certificates to the host with {@code etcd-installer.sh}, atomically and only when
 * they changed.
 *
 * <p>The ConfigMap holds every master's manifest (key {@code <node>.yaml}) and the script. Each
 * master has its own DaemonSet ({@link #daemonSetName}), pinned to it, whose pod mounts only that
 * master's manifest and, of {@link Names#ETCD_MEMBERS_SECRET}, only {@code ca.crt} and that
 * master's four files: no installer holds another member's private keys.
 * A rolling update goes one master at a time and waits until the new etcd answers {@code
 * /readyz}, so a certificate renewal never restarts two members at once.
 */
public final class EtcdInstallerDaemonSet implements Component {
  public static final String SCRIPT = "etcd-installer.sh";
  /**
   * Alpine with sh, cmp, sha256sum, sed, wget, and the kubectl, jq and curl of the one-member-at-a-
   * time gate (the Lease and the other members' health); the checkpointer's image.
   */
  public static final String IMAGE = PodCheckpointerDaemonSet.IMAGE;
  /** The Lease in kube-system that lets one master at a time change its etcd member. */
  public static final String LEASE = "etcd-installer";

  private static final String ROLE = "homecluster:etcd-installer";
  /** Tells the masters' DaemonSets' pods apart: the master each one installs. */
  public static final String MEMBER_LABEL = "homecluster.dev/etcd-member";
  static final ControlPlaneRbac RBAC = new ControlPlaneRbac(Names.ETCD_INSTALLER, List.of(), List.of(ROLE));
  public static final String BACKUP_DIR = "/etc/kubernetes/manifests-backup";

  private static final String SOURCE_MOUNT = "/etc/etcd-installer/manifests";
  private static final String SECRETS_MOUNT = "/etc/etcd-installer/pki";

  @Override
  public String name() {
    return Names.ETCD_INSTALLER;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    List<HasMetadata> objects = new java.util.ArrayList<>(RBAC.objects());
    objects.add(role());
    objects.add(configMap(ctx));
    for (NodeSpec master : ctx.masters()) {
      objects.add(daemonSet(ctx, master));
    }
    return objects;
  }

  /** Exactly its Lease: create (which cannot be limited by name), get and update. */
  private static HasMetadata role() {
    return new io.fabric8.kubernetes.api.model.rbac.RoleBuilder()
        .withNewMetadata()
        .withName(ROLE)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withRules(
            new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder()
                .withApiGroups("coordination.k8s.io")
                .withResources("leases")
                .withVerbs("create")
                .build(),
            new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder()
                .withApiGroups("coordination.k8s.io")
                .withResources("leases")
                .withResourceNames(LEASE)
                .withVerbs("get", "update")
                .build())
        .build();
  }

  /** {@code <node>=https://<address>:2379,...} for every master: the members the gate checks. */
  static String endpoints(RenderContext ctx) {
    return ctx.masters().stream()
        .map(m -> m.getName() + "=" + EtcdStaticPod.clientUrl(m))
        .collect(java.util.stream.Collectors.joining(","));
  }

  /** The ConfigMap key of a master's manifest. */
  public static String manifestKey(String nodeName) {
    return nodeName + ".yaml";
  }

  private static ConfigMap configMap(RenderContext ctx) {
    Map<String, String> data = new TreeMap<>();
    // No run-time input here: the installer fills in the hash of the files it installs, so the
    // first reconcile (which knows the Secrets' hash) changes no manifest.
    for (NodeSpec master : ctx.masters()) {
      data.put(
          manifestKey(master.getName()),
          Manifests.toYaml(
              EtcdStaticPod.forMember(
                  ctx.spec(), ctx.clusterName(), master, ctx.masters(), EtcdStaticPod.MEMBER_FILES_HASH_PLACEHOLDER)));
    }
    data.put(SCRIPT, PodScript.text(SCRIPT));
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.ETCD_INSTALLER)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withData(data)
        .build();
  }

  /** The installer of one master: {@code etcd-installer-<node>}. */
  public static String daemonSetName(String nodeName) {
    return Names.ETCD_INSTALLER + "-" + nodeName;
  }

  /**
   * One DaemonSet per master, pinned to it, so that each pod mounts only its own master's keys
   * (the Secret's items) and manifest, never another member's private keys.
   */
  private static DaemonSet daemonSet(RenderContext ctx, NodeSpec master) {
    String node = master.getName();
    Map<String, String> selector = new TreeMap<>(Labels.selector(Names.ETCD_INSTALLER));
    selector.put(MEMBER_LABEL, node);
    Map<String, String> podLabels = new TreeMap<>(Labels.pod(ctx.clusterName(), Names.ETCD_INSTALLER));
    podLabels.put(MEMBER_LABEL, node);
    Map<String, String> nodeSelector = new TreeMap<>(Placement.nodesWith(Role.MASTER));
    nodeSelector.putAll(Placement.node(node));
    List<io.fabric8.kubernetes.api.model.KeyToPath> keys = new java.util.ArrayList<>();
    keys.add(item(Names.CA_CERT_KEY));
    for (String f : List.of("server.crt", "server.key", "peer.crt", "peer.key")) {
      keys.add(item(Names.etcdMemberKey(node, f)));
    }
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(daemonSetName(node))
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withMinReadySeconds(10)
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(1))
        .endRollingUpdate()
        .endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(InputHash.annotations(ctx, List.of(Names.ETCD_MEMBERS_SECRET)))
        .endMetadata()
        .withNewSpec()
        .withNodeSelector(nodeSelector)
        .withTolerations(Placement.controlPlaneTolerations())
        .withPriorityClassName("system-node-critical")
        // Host network: the readiness probe asks the local etcd, which listens on 127.0.0.1.
        .withHostNetwork(true)
        .withServiceAccountName(RBAC.account())
        .addNewContainer()
        .withName("install")
        .withImage(IMAGE)
        .withCommand("/bin/sh", SOURCE_MOUNT + "/" + SCRIPT, "loop")
        .addNewEnv()
        .withName("NODE_NAME")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("spec.nodeName")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewEnv().withName("SOURCE_DIR").withValue(SOURCE_MOUNT).endEnv()
        .addNewEnv().withName("SECRETS_DIR").withValue(SECRETS_MOUNT).endEnv()
        .addNewEnv().withName("MANIFESTS_DIR").withValue(EtcdStaticPod.MANIFESTS_DIR).endEnv()
        .addNewEnv().withName("PKI_DIR").withValue(EtcdStaticPod.PKI_DIR).endEnv()
        .addNewEnv().withName("BACKUP_DIR").withValue(BACKUP_DIR).endEnv()
        .addNewEnv().withName("INTERVAL").withValue("30").endEnv()
        .addNewEnv().withName("GATE").withValue("lease").endEnv()
        .addNewEnv().withName("LEASE_NAME").withValue(LEASE).endEnv()
        .addNewEnv().withName("NAMESPACE").withValue(Names.CONTROL_PLANE_NAMESPACE).endEnv()
        .addNewEnv().withName("ETCD_ENDPOINTS").withValue(endpoints(ctx)).endEnv()
        .addNewEnv()
        .withName("LOCAL_HEALTH_URL")
        .withValue("http://127.0.0.1:" + EtcdStaticPod.METRICS_PORT + "/readyz")
        .endEnv()
        // The VIP, not the Service IP: kube-proxy may not run yet.
        .addAllToEnv(ApiEndpoint.of(ctx.spec()).inClusterEnv())
        .withNewReadinessProbe()
        .withNewExec()
        .withCommand(
            "wget", "-q", "-O", "/dev/null",
            "http://127.0.0.1:" + EtcdStaticPod.METRICS_PORT + "/readyz")
        .endExec()
        .withPeriodSeconds(10)
        .withTimeoutSeconds(5)
        .endReadinessProbe()
        .withNewResources()
        .addToRequests("cpu", new Quantity("5m"))
        .addToRequests("memory", new Quantity("8Mi"))
        .addToLimits("memory", new Quantity("32Mi"))
        .endResources()
        .addNewVolumeMount().withName("source").withMountPath(SOURCE_MOUNT).withReadOnly(true).endVolumeMount()
        .addNewVolumeMount().withName("members").withMountPath(SECRETS_MOUNT).withReadOnly(true).endVolumeMount()
        .addNewVolumeMount().withName("manifests").withMountPath(EtcdStaticPod.MANIFESTS_DIR).endVolumeMount()
        .addNewVolumeMount().withName("pki").withMountPath(EtcdStaticPod.PKI_DIR).endVolumeMount()
        .addNewVolumeMount().withName("backup").withMountPath(BACKUP_DIR).endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("source")
        .withNewConfigMap()
        .withName(Names.ETCD_INSTALLER)
        .withItems(item(manifestKey(node)), item(SCRIPT))
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("members")
        .withNewSecret()
        .withSecretName(Names.ETCD_MEMBERS_SECRET)
        .withItems(keys)
        .withDefaultMode(0400)
        .endSecret()
        .endVolume()
        .addNewVolume().withName("manifests").withNewHostPath().withPath(EtcdStaticPod.MANIFESTS_DIR).withType("DirectoryOrCreate").endHostPath().endVolume()
        .addNewVolume().withName("pki").withNewHostPath().withPath(EtcdStaticPod.PKI_DIR).withType("DirectoryOrCreate").endHostPath().endVolume()
        .addNewVolume().withName("backup").withNewHostPath().withPath(BACKUP_DIR).withType("DirectoryOrCreate").endHostPath().endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static io.fabric8.kubernetes.api.model.KeyToPath item(String key) {
    return new io.fabric8.kubernetes.api.model.KeyToPathBuilder().withKey(key).withPath(key).build();
  }
}
