package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A whole home Kubernetes cluster: its machines, their roles, the control plane that runs on them,
 * the virtual IP in front of it, Ceph storage on the workers and backups to the backup node.
 *
 * <p>Cluster-scoped: one HomeCluster describes the cluster it lives in.
 */
@Group(HomeCluster.GROUP)
@Version(HomeCluster.VERSION)
@Kind(HomeCluster.KIND)
@Plural("homeclusters")
@Singular("homecluster")
@ShortNames("hc")
@Categories({"homecluster", "all-homecluster"})
@ValidationRule(
    value = "self.metadata.name.size() <= 63 && self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
    message =
        "metadata.name must be a lowercase DNS label of at most 63 characters (a-z, 0-9, '-'):"
            + " every object the operator renders carries it as a label value")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "VIP",
    jsonPath = ".spec.controlPlane.endpoint.vip",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Masters",
    jsonPath = ".status.masters",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Workers",
    jsonPath = ".status.workers",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class HomeCluster extends CustomResource<HomeClusterSpec, HomeClusterStatus> {
  public static final String GROUP = "homecluster.dev";
  public static final String KIND = "HomeCluster";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  // Overridden only to describe the two fields for `kubectl explain homecluster.spec/.status`.
  @Override
  @JsonPropertyDescription(
      "The machines of the home cluster and their roles, and the control plane, network, Ceph"
          + " storage and backups the operator runs on them.")
  public HomeClusterSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "What the operator observed at its last reconcile: conditions (Ready, Valid,"
          + " ControlPlaneReady, EndpointReady, StorageReady, BackupsHealthy), per-node and"
          + " per-component readiness, backups and the resource plan.")
  public HomeClusterStatus getStatus() {
    return super.getStatus();
  }

  @Override
  protected HomeClusterSpec initSpec() {
    return new HomeClusterSpec();
  }

  @Override
  protected HomeClusterStatus initStatus() {
    return new HomeClusterStatus();
  }
}
