package dev.homecluster.render.controlplane;

import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pod-template annotation carrying the hash of the generated Secrets, so pods that mount them
 * roll when a certificate is renewed. Empty (but present) when rendering for Git, so the output
 * stays stable.
 */
final class InputHash {
  private InputHash() {}

  static Map<String, String> annotations(RenderContext ctx) {
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(Names.INPUT_HASH_ANNOTATION, ctx.runtimeInput(Names.RUNTIME_SECRETS_HASH, ""));
    return annotations;
  }
}
