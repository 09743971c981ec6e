package dev.homecluster.render.controlplane;

import dev.homecluster.api.v1alpha1.Role;
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
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pod checkpointer on every master: keeps an inert static-pod copy of each pod annotated
 * {@link Names#CHECKPOINT_ANNOTATION} (the kube-apiserver) in the kubelet's manifests directory,
 * with the Secrets it mounts copied to {@link #CHECKPOINT_DIR}, so that after a full power cycle
 * the kubelet starts the apiserver before any API exists. See {@code pod-checkpointer.sh} and
 * docs/control-plane.md.
 *
 * <p>Its Role may read pods in kube-system and exactly the Secrets and ConfigMaps the apiserver
 * mounts, nothing else.
 */
public final class PodCheckpointerDaemonSet implements Component {
  public static final String SCRIPT = "pod-checkpointer.sh";
  /** Alpine with sh, jq and a kubectl of the same minor version as the default cluster. */
  public static final String IMAGE = "docker.io/alpine/k8s:1.34.2";
  public static final String CHECKPOINT_DIR = "/etc/kubernetes/checkpoints";
  /** Seconds the apiserver's port must be free before a checkpointed copy starts. */
  public static final int GRACE_SECONDS = 30;

  private static final String SCRIPT_MOUNT = "/etc/pod-checkpointer";
  private static final String INPUT_DIR = "/run/pod-checkpointer";
  private static final String ROLE = "homecluster:pod-checkpointer";

  static final ControlPlaneRbac RBAC =
      new ControlPlaneRbac(Names.POD_CHECKPOINTER, List.of(), List.of(ROLE));

  @Override
  public String name() {
    return Names.POD_CHECKPOINTER;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    List<HasMetadata> objects = new ArrayList<>(RBAC.objects());
    objects.add(role());
    objects.add(configMap());
    objects.add(daemonSet(ctx));
    return objects;
  }

  private static HasMetadata role() {
    return new RoleBuilder()
        .withNewMetadata()
        .withName(ROLE)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withRules(
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("pods")
                .withVerbs("get", "list")
                .build(),
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("secrets")
                .withResourceNames(ApiServerDaemonSet.SECRETS)
                .withVerbs("get")
                .build(),
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("configmaps")
                .withResourceNames(ApiServerDaemonSet.CONFIG_MAPS)
                .withVerbs("get")
                .build())
        .build();
  }

  private static ConfigMap configMap() {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.POD_CHECKPOINTER)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .addToData(SCRIPT, PodScript.text(SCRIPT))
        .build();
  }

  private static DaemonSet daemonSet(RenderContext ctx) {
    List<EnvVar> env = new ArrayList<>();
    env.add(
        new EnvVarBuilder()
            .withName("NODE_NAME")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("spec.nodeName")
            .endFieldRef()
            .endValueFrom()
            .build());
    // This node's own apiserver, the second address the script tries: after a power cut the VIP
    // (keepalived, HAProxy) may not be back, but the checkpointed copy on this node serves here.
    env.add(
        new EnvVarBuilder()
            .withName("HOST_IP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("status.hostIP")
            .endFieldRef()
            .endValueFrom()
            .build());
    env.add(value("APISERVER_PORT", String.valueOf(ctx.spec().getControlPlane().getApiServerPort())));
    env.add(value("NAMESPACE", Names.CONTROL_PLANE_NAMESPACE));
    env.add(value("INPUT_DIR", INPUT_DIR));
    env.add(value("MANIFESTS_DIR", EtcdStaticPod.MANIFESTS_DIR));
    env.add(value("CHECKPOINT_DIR", CHECKPOINT_DIR));
    env.add(value("CHECKPOINT_ANNOTATION", Names.CHECKPOINT_ANNOTATION));
    env.add(value("IMAGE", IMAGE));
    env.add(value("GRACE", String.valueOf(GRACE_SECONDS)));
    env.add(value("INTERVAL", "10"));
    env.addAll(ApiEndpoint.of(ctx.spec()).inClusterEnv());
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(Names.INPUT_HASH_ANNOTATION, ContentHash.of(PodScript.text(SCRIPT)));
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(Names.POD_CHECKPOINTER)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(Labels.selector(Names.POD_CHECKPOINTER))
        .endSelector()
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(1))
        .endRollingUpdate()
        .endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.pod(ctx.clusterName(), Names.POD_CHECKPOINTER))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(RBAC.account())
        .withNodeSelector(Placement.nodesWith(Role.MASTER))
        .withTolerations(Placement.controlPlaneTolerations())
        // Host network: it must reach the VIP before flannel runs, right after a power cycle.
        .withHostNetwork(true)
        .withPriorityClassName("system-node-critical")
        .addNewContainer()
        .withName(Names.POD_CHECKPOINTER)
        .withImage(IMAGE)
        .withImagePullPolicy("IfNotPresent")
        .withCommand("/bin/sh", SCRIPT_MOUNT + "/" + SCRIPT, "loop")
        .withEnv(env)
        .withNewResources()
        .addToRequests("cpu", new Quantity("10m"))
        .addToRequests("memory", new Quantity("32Mi"))
        .addToLimits("memory", new Quantity("128Mi"))
        .endResources()
        .addNewVolumeMount().withName("script").withMountPath(SCRIPT_MOUNT).withReadOnly(true).endVolumeMount()
        .addNewVolumeMount().withName("input").withMountPath(INPUT_DIR).endVolumeMount()
        .addNewVolumeMount().withName("manifests").withMountPath(EtcdStaticPod.MANIFESTS_DIR).endVolumeMount()
        .addNewVolumeMount().withName("checkpoints").withMountPath(CHECKPOINT_DIR).endVolumeMount()
        .endContainer()
        .addNewVolume().withName("script").withNewConfigMap().withName(Names.POD_CHECKPOINTER).endConfigMap().endVolume()
        .addNewVolume().withName("input").withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
        .addNewVolume().withName("manifests").withNewHostPath().withPath(EtcdStaticPod.MANIFESTS_DIR).withType("DirectoryOrCreate").endHostPath().endVolume()
        .addNewVolume().withName("checkpoints").withNewHostPath().withPath(CHECKPOINT_DIR).withType("DirectoryOrCreate").endHostPath().endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }
}
