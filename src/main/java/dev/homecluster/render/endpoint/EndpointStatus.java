package dev.homecluster.render.endpoint;

import dev.homecluster.api.v1alpha1.EndpointSpec;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterStatus;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the status says about the endpoint: its address, and the masters whose endpoint pod is
 * ready (keepalived running and HAProxy seeing at least one apiserver). Pure: the operator passes
 * the pods its informer sees.
 *
 * @param endpoint {@code vip:port} ({@code [vip]:port} for IPv6)
 * @param servers masters with a ready endpoint pod, in spec order
 */
public record EndpointStatus(String endpoint, List<String> servers) {
  public EndpointStatus {
    Objects.requireNonNull(endpoint, "endpoint");
    servers = List.copyOf(servers);
  }

  /**
   * @param cluster the HomeCluster (its spec names the masters and the endpoint)
   * @param pods pods of the cluster, at least those of the endpoint DaemonSet; others are ignored
   */
  public static EndpointStatus from(HomeCluster cluster, Collection<Pod> pods) {
    EndpointSpec endpoint = cluster.getSpec().getControlPlane().getEndpoint();
    Map<String, String> selector = Labels.selector(Names.ENDPOINT);
    Set<String> readyNodes =
        pods.stream()
            .filter(p -> isEndpointPod(p, selector))
            .filter(EndpointStatus::isServing)
            .map(p -> p.getSpec().getNodeName())
            .collect(Collectors.toSet());
    List<String> servers =
        cluster.getSpec().getNodes().stream()
            .filter(n -> n.has(Role.MASTER))
            .map(NodeSpec::getName)
            .filter(readyNodes::contains)
            .toList();
    return new EndpointStatus(HaproxyConfig.hostPort(endpoint.getVip(), endpoint.getPort()), servers);
  }

  /** Writes the endpoint and its servers into a status. */
  public void applyTo(HomeClusterStatus status) {
    status.setEndpoint(endpoint);
    status.setEndpointServers(servers);
  }

  private static boolean isEndpointPod(Pod pod, Map<String, String> selector) {
    if (pod.getMetadata() == null
        || !Names.CONTROL_PLANE_NAMESPACE.equals(pod.getMetadata().getNamespace())) {
      return false;
    }
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels != null && labels.entrySet().containsAll(selector.entrySet());
  }

  /** Running on a node, not being deleted, and Ready. */
  private static boolean isServing(Pod pod) {
    if (pod.getSpec() == null
        || pod.getSpec().getNodeName() == null
        || pod.getMetadata().getDeletionTimestamp() != null
        || pod.getStatus() == null
        || !"Running".equals(pod.getStatus().getPhase())
        || pod.getStatus().getConditions() == null) {
      return false;
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .map(PodCondition::getStatus)
        .anyMatch("True"::equals);
  }
}
