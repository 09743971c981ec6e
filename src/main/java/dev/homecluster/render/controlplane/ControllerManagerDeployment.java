package dev.homecluster.render.controlplane;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.render.Component;
import dev.homecluster.render.Images;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-controller-manager: a leader-elected Deployment on the masters, signing certificates with
 * the cluster CA and service-account tokens with the service-account key, allocating each node's
 * pod CIDR for flannel.
 *
 * <p>It runs on the host network and reaches the API through the VIP (see {@link ApiEndpoint}),
 * so it needs neither flannel nor kube-proxy, both of which need node CIDRs from it first. It
 * authenticates as the user {@code system:kube-controller-manager} with a client certificate (see
 * {@link ClientKubeconfig}), which Kubernetes' default RBAC binds, and mounts no ServiceAccount
 * token; with {@code --use-service-account-credentials} each controller then runs under its own
 * ServiceAccount, as with kubeadm.
 */
public final class ControllerManagerDeployment implements Component {
  public static final String PKI_DIR = ClientKubeconfig.PKI_DIR;
  public static final int SECURE_PORT = 10257;

  static final ClientKubeconfig KUBECONFIG = ClientKubeconfig.CONTROLLER_MANAGER;

  @Override
  public String name() {
    return Names.KUBE_CONTROLLER_MANAGER;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    return List.of(KUBECONFIG.configMap(ctx), deployment(ctx));
  }

  static List<String> command(RenderContext ctx) {
    HomeClusterSpec spec = ctx.spec();
    List<String> command = new ArrayList<>();
    command.add("kube-controller-manager");
    command.add("--allocate-node-cidrs=true");
    command.add("--authentication-kubeconfig=" + KUBECONFIG.path());
    command.add("--authorization-kubeconfig=" + KUBECONFIG.path());
    command.add("--bind-address=127.0.0.1");
    command.add("--cluster-cidr=" + spec.getNetwork().getPodCIDR());
    command.add("--cluster-name=" + ctx.clusterName());
    command.add("--cluster-signing-cert-file=" + PKI_DIR + "/ca.crt");
    command.add("--cluster-signing-key-file=" + PKI_DIR + "/ca.key");
    command.add("--controllers=*,bootstrapsigner,tokencleaner");
    command.add("--kubeconfig=" + KUBECONFIG.path());
    command.add("--leader-elect=true");
    // CIS 1.3.2: no /debug/pprof.
    command.add("--profiling=false");
    command.add("--root-ca-file=" + PKI_DIR + "/ca.crt");
    command.add("--secure-port=" + SECURE_PORT);
    command.add("--service-account-private-key-file=" + PKI_DIR + "/sa.key");
    command.add("--service-cluster-ip-range=" + spec.getNetwork().getServiceCIDR());
    command.add("--use-service-account-credentials=true");
    return command;
  }

  private static Deployment deployment(RenderContext ctx) {
    Container container =
        new ContainerBuilder()
            .withName(Names.KUBE_CONTROLLER_MANAGER)
            .withImage(Images.kubernetes(ctx.spec(), "kube-controller-manager"))
            .withImagePullPolicy("IfNotPresent")
            .withCommand(command(ctx))
            .withNewResources()
            .addToRequests("cpu", new Quantity("200m"))
            .endResources()
            .withNewLivenessProbe()
            .withNewHttpGet()
            .withHost("127.0.0.1")
            .withPath("/healthz")
            .withPort(new IntOrString(SECURE_PORT))
            .withScheme("HTTPS")
            .endHttpGet()
            .withInitialDelaySeconds(10)
            .withPeriodSeconds(10)
            .withTimeoutSeconds(15)
            .withFailureThreshold(8)
            .endLivenessProbe()
            .build();
    return LeaderElectedDeployment.of(
        ctx,
        container,
        KUBECONFIG,
        List.of(
            new VolumeProjectionBuilder()
                .withNewSecret()
                .withName(Names.CLUSTER_CA_SECRET)
                .withItems(
                    new KeyToPathBuilder().withKey("ca.crt").withPath("ca.crt").build(),
                    new KeyToPathBuilder().withKey("ca.key").withPath("ca.key").build())
                .endSecret()
                .build(),
            new VolumeProjectionBuilder()
                .withNewSecret()
                .withName(Names.SERVICE_ACCOUNT_KEY_SECRET)
                .withItems(new KeyToPathBuilder().withKey("sa.key").withPath("sa.key").build())
                .endSecret()
                .build()));
  }
}
