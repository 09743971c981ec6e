package dev.homecluster.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pod Security admission rejects a pod its namespace's level forbids, and the operator would find
 * out only at run time, as a workload with no pods. So: every rendered pod that needs more than
 * the "baseline" level (host network, host paths, privileged containers, extra capabilities) must
 * land in a namespace that enforces "privileged", either a rendered Namespace labelled so or
 * kube-system, which Kubernetes creates unlabelled (privileged unless the cluster's admission
 * configuration says otherwise: docs/install.md).
 */
class PodSecurityNamespacesTest {
  private static final String ENFORCE = "pod-security.kubernetes.io/enforce";

  /** Capabilities the baseline level allows a container to add. */
  private static final Set<String> BASELINE_CAPABILITIES =
      Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
          "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

  @Test
  void podsBeyondBaselineRunOnlyInNamespacesThatEnforcePrivileged() {
    List<String> rejected = new ArrayList<>();
    for (String example : Examples.all()) {
      List<HasMetadata> objects = new Renderer().render(RenderContext.of(Examples.load(example))).objects();
      Map<String, String> levels = new HashMap<>();
      ChartFixture.all(objects, Namespace.class)
          .forEach(n -> levels.put(n.getMetadata().getName(), labels(n).getOrDefault(ENFORCE, "privileged")));
      for (HasMetadata workload : objects) {
        Optional<PodSpec> pod = podSpec(workload);
        if (pod.isEmpty()) {
          continue;
        }
        List<String> reasons = beyondBaseline(pod.get());
        String namespace = workload.getMetadata().getNamespace();
        String level = levels.getOrDefault(namespace, Names.CONTROL_PLANE_NAMESPACE.equals(namespace) ? "privileged" : "unlabelled");
        if (!reasons.isEmpty() && !level.equals("privileged")) {
          rejected.add(example + ": " + ChartFixture.describe(workload) + " needs privileged (" + String.join(", ", reasons)
              + ") but " + namespace + " is " + level);
        }
      }
    }
    assertThat(rejected).isEmpty();
  }

  @Test
  void aPodWithAHostPathCountsAsBeyondBaseline() {
    PodSpec pod = new io.fabric8.kubernetes.api.model.PodSpecBuilder()
        .addNewVolume().withName("dev").withNewHostPath().withPath("/dev/zfs").endHostPath().endVolume()
        .addNewContainer().withName("zfs").withNewSecurityContext().withNewCapabilities().addToAdd("SYS_ADMIN").endCapabilities().endSecurityContext().endContainer()
        .build();

    assertThat(beyondBaseline(pod)).containsExactly("hostPath volume dev", "zfs adds SYS_ADMIN");
  }

  private static Map<String, String> labels(HasMetadata object) {
    return object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels();
  }

  private static Optional<PodSpec> podSpec(HasMetadata object) {
    PodTemplateSpec template = null;
    if (object instanceof DaemonSet d) {
      template = d.getSpec().getTemplate();
    } else if (object instanceof Deployment d) {
      template = d.getSpec().getTemplate();
    } else if (object instanceof StatefulSet s) {
      template = s.getSpec().getTemplate();
    } else if (object instanceof Job j) {
      template = j.getSpec().getTemplate();
    } else if (object instanceof CronJob c) {
      template = c.getSpec().getJobTemplate().getSpec().getTemplate();
    } else if (object instanceof io.fabric8.kubernetes.api.model.Pod p) {
      return Optional.of(p.getSpec());
    }
    return Optional.ofNullable(template).map(PodTemplateSpec::getSpec);
  }

  /** Why a pod fails the baseline level; empty when it passes. */
  static List<String> beyondBaseline(PodSpec pod) {
    List<String> reasons = new ArrayList<>();
    if (Boolean.TRUE.equals(pod.getHostNetwork())) {
      reasons.add("hostNetwork");
    }
    if (Boolean.TRUE.equals(pod.getHostPID())) {
      reasons.add("hostPID");
    }
    if (Boolean.TRUE.equals(pod.getHostIPC())) {
      reasons.add("hostIPC");
    }
    if (pod.getVolumes() != null) {
      pod.getVolumes().stream().filter(v -> v.getHostPath() != null).forEach(v -> reasons.add("hostPath volume " + v.getName()));
    }
    List<Container> containers = Stream.of(pod.getInitContainers(), pod.getContainers())
        .filter(l -> l != null).flatMap(List::stream).toList();
    for (Container c : containers) {
      if (c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged())) {
        reasons.add(c.getName() + " privileged");
      }
      Capabilities caps = c.getSecurityContext() == null ? null : c.getSecurityContext().getCapabilities();
      if (caps != null && caps.getAdd() != null) {
        caps.getAdd().stream().filter(a -> !BASELINE_CAPABILITIES.contains(a)).forEach(a -> reasons.add(c.getName() + " adds " + a));
      }
      if (c.getPorts() != null && c.getPorts().stream().anyMatch(p -> p.getHostPort() != null && p.getHostPort() != 0)
          && !Boolean.TRUE.equals(pod.getHostNetwork())) {
        reasons.add(c.getName() + " hostPort");
      }
    }
    return reasons;
  }
}
