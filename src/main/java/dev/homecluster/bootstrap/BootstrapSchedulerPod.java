package dev.homecluster.bootstrap;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.render.Images;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;

/**
 * The TEMPORARY kube-scheduler on the first master. It schedules the self-hosted control plane
 * (DaemonSet pods too) and hands over through the default lease (kube-system/kube-scheduler).
 */
public final class BootstrapSchedulerPod {
  private BootstrapSchedulerPod() {}

  public static Pod build(HomeClusterSpec spec) {
    List<String> command =
        List.of(
            "kube-scheduler",
            StaticPod.flag("kubeconfig", HostPaths.SCHEDULER_KUBECONFIG),
            StaticPod.flag("authentication-kubeconfig", HostPaths.SCHEDULER_KUBECONFIG),
            StaticPod.flag("authorization-kubeconfig", HostPaths.SCHEDULER_KUBECONFIG),
            StaticPod.flag("bind-address", "127.0.0.1"),
            StaticPod.flag("leader-elect", true));
    Container container =
        new ContainerBuilder()
            .withName(Names.KUBE_SCHEDULER)
            .withImage(Images.kubernetes(spec, Names.KUBE_SCHEDULER))
            .withCommand(command)
            .withNewResources()
            .addToRequests("cpu", new Quantity("100m"))
            .endResources()
            .withVolumeMounts(StaticPod.mount("kubeconfig", HostPaths.SCHEDULER_KUBECONFIG, true))
            .build();
    return StaticPod.of(
        Names.KUBE_SCHEDULER,
        container,
        List.of(StaticPod.hostPath("kubeconfig", HostPaths.SCHEDULER_KUBECONFIG, "File")));
  }
}
