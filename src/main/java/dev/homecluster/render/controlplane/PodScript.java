package dev.homecluster.render.controlplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** A script that runs inside a pod, shipped as a resource under dev/homecluster/scripts/. */
final class PodScript {
  static final String RESOURCE_DIR = "/dev/homecluster/scripts/";

  private PodScript() {}

  /** The script's text, exactly as in the resource file. */
  static String text(String fileName) {
    try (InputStream in = PodScript.class.getResourceAsStream(RESOURCE_DIR + fileName)) {
      if (in == null) {
        throw new IllegalStateException("script resource missing: " + RESOURCE_DIR + fileName);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
