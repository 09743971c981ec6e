package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import java.util.List;

/**
 * The one validator, shared by {@code validate}, {@code render}, the reconciler and the tests.
 * The CRD schema and its CEL rules catch what they can at admission; this catches the rest and
 * names the field of every problem.
 */
public final class Validator {
  private final List<Rule> rules;

  public Validator() {
    this(
        List.of(
            new NodeRules(),
            new AddressRules(),
            new ControlPlaneRules(),
            new EndpointRules(),
            new NetworkRules(),
            new StorageRules(),
            new CapacityRules(),
            new HostPathRules(),
            new BackupRules(),
            new ImageRules()));
  }

  Validator(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public ValidationResult validate(HomeCluster cluster) {
    Problems problems = new Problems();
    if (cluster == null) {
      problems.error("", "no HomeCluster given");
      return problems.result();
    }
    ClusterNameRules.check(
        cluster.getMetadata() == null ? null : cluster.getMetadata().getName(), problems);
    HomeClusterSpec spec = cluster.getSpec();
    if (spec == null) {
      problems.error("spec", "is required");
      return problems.result();
    }
    for (Rule rule : rules) {
      rule.check(spec, problems);
    }
    return problems.result();
  }
}
