package dev.homecluster.render.controlplane;

import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pod-template annotation carrying the hash of the Secrets a workload mounts, so its pods roll
 * when one of those is renewed, and only then. The Secrets are selected by the names in the
 * workload's own volumes, and each one's hash is the run-time input {@link
 * Names#runtimeSecretHash} the operator computes from the Secret's content, whatever wrote it
 * (the operator's generators or {@code render --bootstrap}, whose Secrets carry other labels).
 * Empty (but present) when rendering for Git, so the output stays stable; see the overload for
 * pods that also mount rendered configuration.
 */
final class InputHash {
  private InputHash() {}

  /** For a pod that mounts the Secrets named {@code secretNames}. */
  static Map<String, String> annotations(RenderContext ctx, Collection<String> secretNames) {
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(Names.INPUT_HASH_ANNOTATION, secrets(ctx, secretNames));
    return annotations;
  }

  /**
   * For a pod that also mounts rendered configuration (a kubeconfig in a ConfigMap): one hash of
   * its Secrets' hash and that configuration, so a renewed certificate and a changed file both
   * roll it. Rendered for Git it hashes the configuration alone, and is as stable as it.
   */
  static Map<String, String> annotations(
      RenderContext ctx, Collection<String> secretNames, String... configuration) {
    String[] parts = new String[configuration.length + 1];
    parts[0] = secrets(ctx, secretNames);
    System.arraycopy(configuration, 0, parts, 1, configuration.length);
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(Names.INPUT_HASH_ANNOTATION, ContentHash.of(parts));
    return annotations;
  }

  /** The names of the Secrets a pod's volumes mount, plain or projected. */
  static List<String> mountedSecrets(PodSpec pod) {
    return mountedSecrets(pod.getVolumes() == null ? List.of() : pod.getVolumes(), List.of());
  }

  static List<String> mountedSecrets(List<Volume> volumes, List<VolumeProjection> projections) {
    TreeSet<String> names = new TreeSet<>();
    for (Volume volume : volumes) {
      if (volume.getSecret() != null) {
        names.add(volume.getSecret().getSecretName());
      }
      if (volume.getProjected() != null) {
        projections(volume.getProjected().getSources(), names);
      }
    }
    projections(projections, names);
    return new ArrayList<>(names);
  }

  private static void projections(List<VolumeProjection> sources, TreeSet<String> names) {
    for (VolumeProjection source : sources == null ? List.<VolumeProjection>of() : sources) {
      if (source.getSecret() != null) {
        names.add(source.getSecret().getName());
      }
    }
  }

  /**
   * "" when rendering for Git (no run-time inputs); else a hash over each named Secret's hash
   * (empty for a Secret that does not exist yet), in name order.
   */
  private static String secrets(RenderContext ctx, Collection<String> secretNames) {
    if (ctx.runtimeInputs().isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (String name : new TreeSet<>(secretNames)) {
      parts.add(name);
      parts.add(ctx.runtimeInput(Names.runtimeSecretHash(name), ""));
    }
    return ContentHash.of(parts.toArray(String[]::new));
  }
}
