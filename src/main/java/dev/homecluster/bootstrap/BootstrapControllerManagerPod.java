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
 * The TEMPORARY kube-controller-manager on the first master. It takes the default leader-election
 * lease (kube-system/kube-controller-manager), so the self-hosted Deployment takes over through the
 * same lease once this pod is gone.
 */
public final class BootstrapControllerManagerPod {
  private BootstrapControllerManagerPod() {}

  public static Pod build(String clusterName, HomeClusterSpec spec) {
    List<String> command =
        List.of(
            "kube-controller-manager",
            StaticPod.flag("kubeconfig", HostPaths.CONTROLLER_MANAGER_KUBECONFIG),
            StaticPod.flag("authentication-kubeconfig", HostPaths.CONTROLLER_MANAGER_KUBECONFIG),
            StaticPod.flag("authorization-kubeconfig", HostPaths.CONTROLLER_MANAGER_KUBECONFIG),
            StaticPod.flag("bind-address", "127.0.0.1"),
            StaticPod.flag("leader-elect", true),
            StaticPod.flag("cluster-name", clusterName),
            StaticPod.flag("controllers", "*,bootstrapsigner,tokencleaner"),
            StaticPod.flag("use-service-account-credentials", true),
            StaticPod.flag("client-ca-file", HostPaths.CA_CERT),
            StaticPod.flag("requestheader-client-ca-file", HostPaths.FRONT_PROXY_CA_CERT),
            StaticPod.flag("root-ca-file", HostPaths.CA_CERT),
            StaticPod.flag("cluster-signing-cert-file", HostPaths.CA_CERT),
            StaticPod.flag("cluster-signing-key-file", HostPaths.CA_KEY),
            StaticPod.flag("service-account-private-key-file", HostPaths.SA_KEY),
            StaticPod.flag("allocate-node-cidrs", true),
            StaticPod.flag("cluster-cidr", spec.getNetwork().getPodCIDR()),
            StaticPod.flag("service-cluster-ip-range", spec.getNetwork().getServiceCIDR()));
    Container container =
        new ContainerBuilder()
            .withName(Names.KUBE_CONTROLLER_MANAGER)
            .withImage(Images.kubernetes(spec, Names.KUBE_CONTROLLER_MANAGER))
            .withCommand(command)
            .withNewResources()
            .addToRequests("cpu", new Quantity("200m"))
            .endResources()
            .withVolumeMounts(
                StaticPod.mount("k8s-certs", HostPaths.PKI, true),
                StaticPod.mount("kubeconfig", HostPaths.CONTROLLER_MANAGER_KUBECONFIG, true))
            .build();
    return StaticPod.of(
        Names.KUBE_CONTROLLER_MANAGER,
        container,
        List.of(
            StaticPod.hostPath("k8s-certs", HostPaths.PKI, "Directory"),
            StaticPod.hostPath("kubeconfig", HostPaths.CONTROLLER_MANAGER_KUBECONFIG, "File")));
  }
}
