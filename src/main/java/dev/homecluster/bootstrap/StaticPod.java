package dev.homecluster.bootstrap;

import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shape every bootstrap static pod shares: host network, node-critical priority, labels that
 * say it is temporary, host paths for its files.
 */
final class StaticPod {
  /** Label on the temporary control plane, so it is easy to find and tell from the real one. */
  static final String BOOTSTRAP_LABEL = "homecluster.dev/bootstrap";

  private StaticPod() {}

  static Pod of(String component, Container container, List<Volume> volumes) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(Labels.NAME, component);
    labels.put(Labels.MANAGED_BY, Names.OPERATOR);
    labels.put(BOOTSTRAP_LABEL, "true");
    return new PodBuilder()
        .withNewMetadata()
        .withName(component)
        .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(true)
        .withPriorityClassName("system-node-critical")
        .withNewSecurityContext()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withContainers(container)
        .withVolumes(volumes)
        .endSpec()
        .build();
  }

  static Volume hostPath(String name, String path, String type) {
    return new VolumeBuilder()
        .withName(name)
        .withNewHostPath()
        .withPath(path)
        .withType(type)
        .endHostPath()
        .build();
  }

  static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly)
        .build();
  }

  /** {@code --name=value}. */
  static String flag(String name, Object value) {
    return "--" + name + "=" + value;
  }
}
