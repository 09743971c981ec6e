package dev.homecluster.render.controlplane;

import dev.homecluster.net.Addresses;
import dev.homecluster.render.Component;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Images;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cluster DNS: CoreDNS (two replicas, preferably on different nodes) behind the {@code kube-dns}
 * Service at the tenth address of the service network, the address kubelets are configured with
 * ({@code clusterDNS}).
 */
public final class CoreDnsDeployment implements Component {
  /** The CoreDNS release kubeadm 1.34 ships with. */
  public static final String VERSION = "v1.12.1";
  public static final String SERVICE = "kube-dns";
  public static final String CLUSTER_ROLE = "system:coredns";
  /** The kube-dns Service takes this address of the service network. */
  public static final int SERVICE_IP_INDEX = 10;

  static final ControlPlaneRbac RBAC =
      new ControlPlaneRbac(Names.COREDNS, List.of(CLUSTER_ROLE), List.of());

  @Override
  public String name() {
    return Names.COREDNS;
  }

  /** The kube-dns Service's cluster IP: the tenth address of the service network. */
  public static String serviceIp(String serviceCidr) {
    return Addresses.nth(serviceCidr, SERVICE_IP_INDEX);
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    List<HasMetadata> objects = new ArrayList<>(RBAC.objects());
    objects.add(clusterRole());
    objects.add(configMap(ctx));
    objects.add(service(ctx));
    objects.add(deployment(ctx));
    return objects;
  }

  private static ClusterRole clusterRole() {
    return new ClusterRoleBuilder()
        .withNewMetadata()
        .withName(CLUSTER_ROLE)
        .endMetadata()
        .withRules(
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("endpoints", "services", "pods", "namespaces")
                .withVerbs("list", "watch")
                .build(),
            new PolicyRuleBuilder()
                .withApiGroups("discovery.k8s.io")
                .withResources("endpointslices")
                .withVerbs("list", "watch")
                .build())
        .build();
  }

  private static ConfigMap configMap(RenderContext ctx) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.COREDNS)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .addToData("Corefile", Corefile.forDomain(ctx.spec().getNetwork().getClusterDomain()))
        .build();
  }

  private static Service service(RenderContext ctx) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(SERVICE)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .addToAnnotations("prometheus.io/port", "9153")
        .addToAnnotations("prometheus.io/scrape", "true")
        .endMetadata()
        .withNewSpec()
        .withClusterIP(serviceIp(ctx.spec().getNetwork().getServiceCIDR()))
        .withSelector(Labels.selector(Names.COREDNS))
        .addNewPort().withName("dns").withPort(53).withProtocol("UDP").withTargetPort(new IntOrString(53)).endPort()
        .addNewPort().withName("dns-tcp").withPort(53).withProtocol("TCP").withTargetPort(new IntOrString(53)).endPort()
        .addNewPort().withName("metrics").withPort(9153).withProtocol("TCP").withTargetPort(new IntOrString(9153)).endPort()
        .endSpec()
        .build();
  }

  private static Deployment deployment(RenderContext ctx) {
    Map<String, String> selector = Labels.selector(Names.COREDNS);
    List<Toleration> tolerations = new ArrayList<>();
    tolerations.add(new TolerationBuilder().withKey("CriticalAddonsOnly").withOperator("Exists").build());
    tolerations.addAll(Placement.controlPlaneTolerations());
    Map<String, String> annotations = new TreeMap<>();
    // Roll the pods when the Corefile changes ("reload" also picks it up, but slowly).
    annotations.put(Names.INPUT_HASH_ANNOTATION, ContentHash.of(Corefile.forDomain(ctx.spec().getNetwork().getClusterDomain())));
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(Names.COREDNS)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(1))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.pod(ctx.clusterName(), Names.COREDNS))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(RBAC.account())
        .withPriorityClassName("system-cluster-critical")
        .withTolerations(tolerations)
        .withDnsPolicy("Default")
        .withNewAffinity()
        .withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withTopologyKey(Labels.HOSTNAME)
        .withNewLabelSelector()
        .withMatchLabels(selector)
        .endLabelSelector()
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .endAffinity()
        .addNewContainer()
        .withName(Names.COREDNS)
        .withImage(Images.fromRepository(ctx.spec(), "coredns/coredns", VERSION))
        .withImagePullPolicy("IfNotPresent")
        .withArgs("-conf", "/etc/coredns/Corefile")
        .withNewResources()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("70Mi"))
        .addToLimits("memory", new Quantity("170Mi"))
        .endResources()
        .addNewPort().withName("dns").withContainerPort(53).withProtocol("UDP").endPort()
        .addNewPort().withName("dns-tcp").withContainerPort(53).withProtocol("TCP").endPort()
        .addNewPort().withName("metrics").withContainerPort(9153).withProtocol("TCP").endPort()
        .addNewPort().withName("liveness-probe").withContainerPort(8080).withProtocol("TCP").endPort()
        .addNewPort().withName("readiness-probe").withContainerPort(8181).withProtocol("TCP").endPort()
        .withNewLivenessProbe()
        .withNewHttpGet()
        .withPath("/health")
        .withPort(new IntOrString("liveness-probe"))
        .withScheme("HTTP")
        .endHttpGet()
        .withInitialDelaySeconds(60)
        .withTimeoutSeconds(5)
        .withSuccessThreshold(1)
        .withFailureThreshold(5)
        .endLivenessProbe()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/ready")
        .withPort(new IntOrString("readiness-probe"))
        .withScheme("HTTP")
        .endHttpGet()
        .endReadinessProbe()
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withAdd("NET_BIND_SERVICE")
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount()
        .withName("config-volume")
        .withMountPath("/etc/coredns")
        .withReadOnly(true)
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("config-volume")
        .withNewConfigMap()
        .withName(Names.COREDNS)
        .addNewItem()
        .withKey("Corefile")
        .withPath("Corefile")
        .endItem()
        .endConfigMap()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
