package dev.homecluster.render.controlplane;

import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pod-template annotation carrying the hash of the generated Secrets, so pods that mount them
 * roll when a certificate is renewed. Empty (but present) when rendering for Git, so the output
 * stays stable; see the overload for pods that also mount rendered configuration.
 */
final class InputHash {
  private InputHash() {}

  static Map<String, String> annotations(RenderContext ctx) {
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(Names.INPUT_HASH_ANNOTATION, ctx.runtimeInput(Names.RUNTIME_SECRETS_HASH, ""));
    return annotations;
  }

  /**
   * For a pod that also mounts rendered configuration (a kubeconfig in a ConfigMap): one hash of
   * the Secrets' hash and that configuration, so a renewed certificate and a changed file both
   * roll it. Rendered for Git it hashes the configuration alone, and is as stable as it.
   */
  static Map<String, String> annotations(RenderContext ctx, String... configuration) {
    String[] parts = new String[configuration.length + 1];
    parts[0] = ctx.runtimeInput(Names.RUNTIME_SECRETS_HASH, "");
    System.arraycopy(configuration, 0, parts, 1, configuration.length);
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(Names.INPUT_HASH_ANNOTATION, ContentHash.of(parts));
    return annotations;
  }
}
