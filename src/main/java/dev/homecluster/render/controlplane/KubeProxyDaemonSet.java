package dev.homecluster.render.controlplane;

import dev.homecluster.render.Component;
import dev.homecluster.render.Images;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kube-proxy on every node (iptables mode), bound to the built-in {@code system:node-proxier}
 * role, talking to the API through the VIP because it is what makes Service IPs work.
 */
public final class KubeProxyDaemonSet implements Component {
  static final ControlPlaneRbac RBAC =
      new ControlPlaneRbac(Names.KUBE_PROXY, List.of("system:node-proxier"), List.of());

  @Override
  public String name() {
    return Names.KUBE_PROXY;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    List<HasMetadata> objects = new ArrayList<>(RBAC.objects());
    objects.add(configMap(ctx));
    objects.add(daemonSet(ctx));
    return objects;
  }

  private static Map<String, String> files(RenderContext ctx) {
    Map<String, String> data = new TreeMap<>();
    data.put(KubeProxyConfig.CONFIG_FILE, KubeProxyConfig.configuration(ctx.spec().getNetwork().getPodCIDR()));
    data.put(KubeProxyConfig.KUBECONFIG_FILE, KubeProxyConfig.kubeconfig(ApiEndpoint.of(ctx.spec()).url()));
    return data;
  }

  private static ConfigMap configMap(RenderContext ctx) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.KUBE_PROXY)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withData(files(ctx))
        .build();
  }

  private static DaemonSet daemonSet(RenderContext ctx) {
    Map<String, String> files = files(ctx);
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(
        Names.INPUT_HASH_ANNOTATION,
        ContentHash.of(files.values().toArray(String[]::new)));
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(Names.KUBE_PROXY)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(Labels.selector(Names.KUBE_PROXY))
        .endSelector()
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(1))
        .endRollingUpdate()
        .endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.pod(ctx.clusterName(), Names.KUBE_PROXY))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(RBAC.account())
        .withHostNetwork(true)
        .withPriorityClassName("system-node-critical")
        .withTolerations(Placement.everywhere())
        .addNewContainer()
        .withName(Names.KUBE_PROXY)
        .withImage(Images.kubernetes(ctx.spec(), "kube-proxy"))
        .withImagePullPolicy("IfNotPresent")
        .withCommand(
            "/usr/local/bin/kube-proxy",
            "--config=" + KubeProxyConfig.DIR + "/" + KubeProxyConfig.CONFIG_FILE,
            "--hostname-override=$(NODE_NAME)")
        .addNewEnv()
        .withName("NODE_NAME")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("spec.nodeName")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .withNewSecurityContext()
        .withPrivileged(true)
        .endSecurityContext()
        .addNewVolumeMount().withName("kube-proxy").withMountPath(KubeProxyConfig.DIR).withReadOnly(true).endVolumeMount()
        .addNewVolumeMount().withName("xtables-lock").withMountPath("/run/xtables.lock").endVolumeMount()
        .addNewVolumeMount().withName("lib-modules").withMountPath("/lib/modules").withReadOnly(true).endVolumeMount()
        .endContainer()
        .addNewVolume().withName("kube-proxy").withNewConfigMap().withName(Names.KUBE_PROXY).endConfigMap().endVolume()
        .addNewVolume().withName("xtables-lock").withNewHostPath().withPath("/run/xtables.lock").withType("FileOrCreate").endHostPath().endVolume()
        .addNewVolume().withName("lib-modules").withNewHostPath().withPath("/lib/modules").endHostPath().endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
