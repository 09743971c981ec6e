package dev.homecluster.render.controlplane;

import dev.homecluster.render.Component;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pod network: flannel with the VXLAN backend on every node, using the pod CIDR the
 * controller-manager assigned to each node ({@code --kube-subnet-mgr}). It installs its CNI
 * plugin and configuration on the host, and reaches the API through the VIP.
 */
public final class FlannelDaemonSet implements Component {
  public static final String IMAGE = "ghcr.io/flannel-io/flannel:v0.27.4";
  public static final String CNI_PLUGIN_IMAGE = "ghcr.io/flannel-io/flannel-cni-plugin:v1.8.0-flannel1";
  public static final String CONFIG_MAP = "kube-flannel-cfg";
  public static final String CLUSTER_ROLE = "homecluster:flannel";

  static final ControlPlaneRbac RBAC = new ControlPlaneRbac("flannel", List.of(CLUSTER_ROLE), List.of());

  @Override
  public String name() {
    return Names.FLANNEL;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    List<HasMetadata> objects = new ArrayList<>(RBAC.objects());
    objects.add(clusterRole());
    objects.add(configMap(ctx));
    objects.add(daemonSet(ctx));
    return objects;
  }

  private static ClusterRole clusterRole() {
    return new ClusterRoleBuilder()
        .withNewMetadata()
        .withName(CLUSTER_ROLE)
        .endMetadata()
        .withRules(
            new PolicyRuleBuilder().withApiGroups("").withResources("pods").withVerbs("get").build(),
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("nodes")
                .withVerbs("get", "list", "watch")
                .build(),
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("nodes/status")
                .withVerbs("patch")
                .build())
        .build();
  }

  private static ConfigMap configMap(RenderContext ctx) {
    Map<String, String> data = new TreeMap<>();
    data.put("cni-conf.json", FlannelNetConf.cniConf());
    data.put("net-conf.json", FlannelNetConf.netConf(ctx.spec().getNetwork().getPodCIDR()));
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(CONFIG_MAP)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withData(data)
        .build();
  }

  private static DaemonSet daemonSet(RenderContext ctx) {
    List<EnvVar> env = new ArrayList<>();
    env.add(fieldEnv("POD_NAME", "metadata.name"));
    env.add(fieldEnv("POD_NAMESPACE", "metadata.namespace"));
    env.add(new EnvVarBuilder().withName("EVENT_QUEUE_DEPTH").withValue("5000").build());
    env.addAll(ApiEndpoint.of(ctx.spec()).inClusterEnv());
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(
        Names.INPUT_HASH_ANNOTATION,
        ContentHash.of(FlannelNetConf.cniConf(), FlannelNetConf.netConf(ctx.spec().getNetwork().getPodCIDR())));
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(Names.FLANNEL)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(Labels.selector(Names.FLANNEL))
        .endSelector()
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(1))
        .endRollingUpdate()
        .endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.pod(ctx.clusterName(), Names.FLANNEL))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(RBAC.account())
        .withHostNetwork(true)
        .withPriorityClassName("system-node-critical")
        .withTolerations(Placement.everywhere())
        .addNewInitContainer()
        .withName("install-cni-plugin")
        .withImage(CNI_PLUGIN_IMAGE)
        .withCommand("cp")
        .withArgs("-f", "/flannel", "/opt/cni/bin/flannel")
        .addNewVolumeMount().withName("cni-plugin").withMountPath("/opt/cni/bin").endVolumeMount()
        .endInitContainer()
        .addNewInitContainer()
        .withName("install-cni")
        .withImage(IMAGE)
        .withCommand("cp")
        .withArgs("-f", "/etc/kube-flannel/cni-conf.json", "/etc/cni/net.d/10-flannel.conflist")
        .addNewVolumeMount().withName("cni").withMountPath("/etc/cni/net.d").endVolumeMount()
        .addNewVolumeMount().withName("flannel-cfg").withMountPath("/etc/kube-flannel/").endVolumeMount()
        .endInitContainer()
        .addNewContainer()
        .withName(Names.FLANNEL)
        .withImage(IMAGE)
        .withCommand("/opt/bin/flanneld")
        .withArgs("--ip-masq", "--kube-subnet-mgr")
        .withEnv(env)
        .withNewResources()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("50Mi"))
        .endResources()
        .withNewSecurityContext()
        .withPrivileged(false)
        .withNewCapabilities()
        .withAdd("NET_ADMIN", "NET_RAW")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount().withName("run").withMountPath("/run/flannel").endVolumeMount()
        .addNewVolumeMount().withName("flannel-cfg").withMountPath("/etc/kube-flannel/").endVolumeMount()
        .addNewVolumeMount().withName("xtables-lock").withMountPath("/run/xtables.lock").endVolumeMount()
        .endContainer()
        .addNewVolume().withName("run").withNewHostPath().withPath("/run/flannel").endHostPath().endVolume()
        .addNewVolume().withName("cni-plugin").withNewHostPath().withPath("/opt/cni/bin").endHostPath().endVolume()
        .addNewVolume().withName("cni").withNewHostPath().withPath("/etc/cni/net.d").endHostPath().endVolume()
        .addNewVolume().withName("flannel-cfg").withNewConfigMap().withName(CONFIG_MAP).endConfigMap().endVolume()
        .addNewVolume().withName("xtables-lock").withNewHostPath().withPath("/run/xtables.lock").withType("FileOrCreate").endHostPath().endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static EnvVar fieldEnv(String name, String fieldPath) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(fieldPath)
        .endFieldRef()
        .endValueFrom()
        .build();
  }
}
