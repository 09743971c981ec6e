package dev.homecluster.bench;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.yaml.Manifests;
import dev.homecluster.yaml.SpecParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The documented home cluster grown to N machines: its masters and backup box as they are, and
 * workers (each with an OSD disk sdb) numbered worker-1.. with addresses from 192.168.1.141 on
 * (N at most 113 within the example's 192.168.1.0/24).
 */
public final class ScaledHomeCluster {
  private ScaledHomeCluster() {}

  public static HomeCluster of(String exampleYaml, int nodes) {
    HomeCluster cluster;
    try {
      cluster = Manifests.readHomeCluster(exampleYaml);
    } catch (SpecParseException e) {
      throw new BenchException("the example does not parse: " + e.getMessage(), e);
    }
    List<NodeSpec> kept = new ArrayList<>();
    for (NodeSpec n : cluster.getSpec().getNodes()) {
      if (!n.has(Role.WORKER)) {
        kept.add(n);
      }
    }
    int workers = nodes - kept.size();
    if (workers < 1 || workers > 113) {
      throw new BenchException("cannot grow the example to " + nodes + " nodes");
    }
    List<NodeSpec> all = new ArrayList<>(kept);
    for (int i = 1; i <= workers; i++) {
      NodeSpec w = new NodeSpec();
      w.setName("worker-" + i);
      w.setAddress(i <= 3 ? "192.168.1.13" + i : "192.168.1." + (137 + i));
      w.setRoles(List.of(Role.WORKER));
      w.setStorageDevices(List.of("sdb"));
      all.add(w);
    }
    cluster.getSpec().setNodes(all);
    return cluster;
  }
}
