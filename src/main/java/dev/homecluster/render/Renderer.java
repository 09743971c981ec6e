package dev.homecluster.render;

import dev.homecluster.render.controlplane.ApiServerDaemonSet;
import dev.homecluster.render.controlplane.ControllerManagerDeployment;
import dev.homecluster.render.controlplane.CoreDnsDeployment;
import dev.homecluster.render.controlplane.EtcdInstallerDaemonSet;
import dev.homecluster.render.controlplane.FlannelDaemonSet;
import dev.homecluster.render.controlplane.KubeProxyDaemonSet;
import dev.homecluster.render.controlplane.PodCheckpointerDaemonSet;
import dev.homecluster.render.controlplane.SchedulerDeployment;
import dev.homecluster.render.backup.EtcdSnapshotCronJob;
import dev.homecluster.render.backup.NfsServer;
import dev.homecluster.render.backup.RsyncCronJob;
import dev.homecluster.render.backup.ZfsSnapshotCronJob;
import dev.homecluster.render.endpoint.ApiServerEndpoint;
import dev.homecluster.render.nodes.NodeRoles;
import dev.homecluster.render.storage.CephStorage;
import dev.homecluster.validation.Problem;
import dev.homecluster.validation.Validator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one pure function from a HomeCluster to the objects that should exist. The operator applies
 * exactly this, {@code render} prints exactly this, and tests assert on exactly this.
 */
public final class Renderer {

  /** Every component, in the order their objects are applied. Register new components here. */
  public static final List<Component> DEFAULT_COMPONENTS =
      List.of(
          new NodeRoles(),
          new EtcdInstallerDaemonSet(),
          new ApiServerDaemonSet(),
          new ApiServerEndpoint(),
          new PodCheckpointerDaemonSet(),
          new ControllerManagerDeployment(),
          new SchedulerDeployment(),
          new FlannelDaemonSet(),
          new KubeProxyDaemonSet(),
          new CoreDnsDeployment(),
          new NfsServer(),
          new RsyncCronJob(),
          new ZfsSnapshotCronJob(),
          new EtcdSnapshotCronJob(),
          // Storage after backup: its backup source claim lives in the backup namespace.
          new CephStorage());

  /** Kinds that others depend on come first: namespaces before what lives in them, and so on. */
  private static final List<String> KIND_ORDER =
      List.of(
          "Namespace",
          "CustomResourceDefinition",
          "PriorityClass",
          "StorageClass",
          "ServiceAccount",
          "ClusterRole",
          "ClusterRoleBinding",
          "Role",
          "RoleBinding",
          "Secret",
          "ConfigMap",
          "PersistentVolume",
          "PersistentVolumeClaim",
          "Service",
          "Node",
          "DaemonSet",
          "Deployment",
          "StatefulSet",
          "CronJob",
          "Job",
          "PodDisruptionBudget");

  private final List<Component> components;
  private final Validator validator;

  public Renderer() {
    this(DEFAULT_COMPONENTS);
  }

  public Renderer(List<Component> components) {
    this.components = List.copyOf(components);
    this.validator = new Validator();
  }

  public List<Component> components() {
    return components;
  }

  /**
   * Validates, then renders every enabled component.
   *
   * @throws InvalidSpecException when the spec has errors; nothing is rendered then
   */
  public RenderResult render(RenderContext ctx) {
    List<Problem> errors = validator.validate(ctx.cluster()).errors();
    if (!errors.isEmpty()) {
      throw new InvalidSpecException(errors);
    }
    List<ComponentOutput> outputs = new ArrayList<>();
    for (Component component : components) {
      if (!component.enabled(ctx)) {
        continue;
      }
      List<HasMetadata> objects = new ArrayList<>(component.render(ctx));
      objects.forEach(o -> stampLabels(o, ctx.clusterName(), component.name()));
      objects.sort(Comparator.comparingInt(Renderer::kindRank));
      outputs.add(new ComponentOutput(component.name(), component.requiredApis(), objects));
    }
    return new RenderResult(outputs);
  }

  private static int kindRank(HasMetadata object) {
    int rank = KIND_ORDER.indexOf(object.getKind());
    return rank < 0 ? KIND_ORDER.size() : rank;
  }

  private static void stampLabels(HasMetadata object, String clusterName, String component) {
    ObjectMeta meta = object.getMetadata();
    Map<String, String> labels = new TreeMap<>();
    if (meta.getLabels() != null) {
      labels.putAll(meta.getLabels());
    }
    labels.putAll(Labels.common(clusterName, component));
    meta.setLabels(labels);
    if (meta.getAnnotations() != null && !(meta.getAnnotations() instanceof TreeMap)) {
      meta.setAnnotations(new TreeMap<>(meta.getAnnotations()));
    }
  }
}
