package dev.homecluster.operator;

import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Component;
import dev.homecluster.render.Labels;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.List;

/**
 * A test component: a ConfigMap and a DaemonSet on the workers, as a real component renders
 * them (selector and pod labels from {@link Labels}, role node selector). The operator tests use
 * it to have a workload whatever components main has registered yet.
 */
final class ProbeComponent implements Component {
  static final String NAME = "it-probe";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    String cluster = ctx.clusterName();
    return List.of(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(NAME)
            .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
            .endMetadata()
            .addToData("workers", String.valueOf(ctx.workers().size()))
            .addToData("vip", ctx.spec().getControlPlane().getEndpoint().getVip())
            .build(),
        new DaemonSetBuilder()
            .withNewMetadata()
            .withName(NAME)
            .withNamespace(Names.CONTROL_PLANE_NAMESPACE)
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(Labels.selector(NAME))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Labels.pod(cluster, NAME))
            .endMetadata()
            .withNewSpec()
            .withNodeSelector(Placement.nodesWith(Role.WORKER))
            .addNewContainer()
            .withName("pause")
            .withImage("registry.k8s.io/pause:3.10")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build());
  }
}
