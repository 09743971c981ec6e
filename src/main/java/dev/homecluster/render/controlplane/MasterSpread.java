package dev.homecluster.render.controlplane;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import dev.homecluster.render.Labels;
import java.util.Map;

/**
 * How the leader-elected control-plane Deployments spread over the masters: two replicas (one
 * when there is a single master) that never share a master, so losing one board leaves a
 * standby that takes the lease.
 */
final class MasterSpread {
  static final int REPLICAS = 2;

  private MasterSpread() {}

  static int replicas(int masters) {
    return Math.min(REPLICAS, Math.max(1, masters));
  }

  /** Required anti-affinity by hostname against the pods with these selector labels. */
  static Affinity antiAffinity(Map<String, String> selector) {
    return new AffinityBuilder()
        .withNewPodAntiAffinity()
        .addNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withTopologyKey(Labels.HOSTNAME)
        .withNewLabelSelector()
        .withMatchLabels(selector)
        .endLabelSelector()
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .build();
  }
}
