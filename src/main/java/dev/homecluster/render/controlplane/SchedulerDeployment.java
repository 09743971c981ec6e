package dev.homecluster.render.controlplane;

import dev.homecluster.render.Component;
import dev.homecluster.render.Images;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;

/**
 * kube-scheduler: a leader-elected Deployment on the masters, on the host network, talking to
 * the API through the VIP as the user {@code system:kube-scheduler} with a client certificate
 * (see {@link ClientKubeconfig}); Kubernetes' default RBAC binds that user to the built-in {@code
 * system:kube-scheduler} and {@code system:volume-scheduler} roles. It mounts the cluster CA's
 * certificate and its own certificate and key, and no ServiceAccount token.
 */
public final class SchedulerDeployment implements Component {
  public static final String PKI_DIR = ClientKubeconfig.PKI_DIR;
  public static final int SECURE_PORT = 10259;

  static final ClientKubeconfig KUBECONFIG = ClientKubeconfig.SCHEDULER;

  @Override
  public String name() {
    return Names.KUBE_SCHEDULER;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    return List.of(KUBECONFIG.configMap(ctx), deployment(ctx));
  }

  static List<String> command() {
    return List.of(
        "kube-scheduler",
        "--authentication-kubeconfig=" + KUBECONFIG.path(),
        "--authorization-kubeconfig=" + KUBECONFIG.path(),
        "--bind-address=127.0.0.1",
        "--kubeconfig=" + KUBECONFIG.path(),
        "--leader-elect=true",
        // CIS 1.4.1: no /debug/pprof.
        "--profiling=false",
        "--secure-port=" + SECURE_PORT);
  }

  private static Deployment deployment(RenderContext ctx) {
    Container container =
        new ContainerBuilder()
            .withName(Names.KUBE_SCHEDULER)
            .withImage(Images.kubernetes(ctx.spec(), "kube-scheduler"))
            .withImagePullPolicy("IfNotPresent")
            .withCommand(command())
            .withNewResources()
            .addToRequests("cpu", new Quantity("100m"))
            .endResources()
            .withNewLivenessProbe()
            .withHttpGet(health("/livez"))
            .withInitialDelaySeconds(10)
            .withPeriodSeconds(10)
            .withTimeoutSeconds(15)
            .withFailureThreshold(8)
            .endLivenessProbe()
            .withNewReadinessProbe()
            .withHttpGet(health("/readyz"))
            .withPeriodSeconds(1)
            .withTimeoutSeconds(15)
            .withFailureThreshold(3)
            .endReadinessProbe()
            .build();
    return LeaderElectedDeployment.of(
        ctx,
        container,
        KUBECONFIG,
        List.of(
            new VolumeProjectionBuilder()
                .withNewSecret()
                .withName(Names.CLUSTER_CA_SECRET)
                .withItems(new KeyToPathBuilder().withKey(Names.CA_CERT_KEY).withPath("ca.crt").build())
                .endSecret()
                .build()));
  }

  private static HTTPGetAction health(String path) {
    return new HTTPGetActionBuilder()
        .withHost("127.0.0.1")
        .withPath(path)
        .withPort(new IntOrString(SECURE_PORT))
        .withScheme("HTTPS")
        .build();
  }
}
