package dev.homecluster.render.controlplane;

import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The Deployment kube-controller-manager and kube-scheduler share: leader-elected replicas spread
 * over the masters, one at a time replaced, on the host network, no ServiceAccount token; the
 * container gets the client-certificate kubeconfig and a read-only {@code pki} directory of the
 * given Secret files beside the component's own certificate.
 */
final class LeaderElectedDeployment {
  private LeaderElectedDeployment() {}

  static Deployment of(
      RenderContext ctx, Container container, ClientKubeconfig kubeconfig, List<VolumeProjection> pki) {
    String name = container.getName();
    var selector = Labels.selector(name);
    List<VolumeProjection> sources = new ArrayList<>(pki);
    sources.add(kubeconfig.certificate());
    Container mounted =
        new ContainerBuilder(container)
            .addNewVolumeMount()
            .withName("pki")
            .withMountPath(ClientKubeconfig.PKI_DIR)
            .withReadOnly(true)
            .endVolumeMount()
            .addToVolumeMounts(kubeconfig.volumeMount())
            .build();
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withReplicas(MasterSpread.replicas(ctx.masters().size()))
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(1))
        .withMaxSurge(new IntOrString(0))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.pod(ctx.clusterName(), name))
        .withAnnotations(
            InputHash.annotations(ctx, InputHash.mountedSecrets(List.of(), sources), kubeconfig.yaml(ctx)))
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withNodeSelector(Placement.nodesWith(Role.MASTER))
        .withTolerations(Placement.controlPlaneTolerations())
        .withAffinity(MasterSpread.antiAffinity(selector))
        .withHostNetwork(true)
        .withPriorityClassName("system-cluster-critical")
        .withNewSecurityContext()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withContainers(mounted)
        .addNewVolume()
        .withName("pki")
        .withNewProjected()
        .withDefaultMode(0400)
        .withSources(sources)
        .endProjected()
        .endVolume()
        .addToVolumes(kubeconfig.volume())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
