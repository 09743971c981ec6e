package dev.homecluster.render.backup;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One pod script from {@code src/main/resources/dev/homecluster/scripts/}, as a ConfigMap and the
 * volume that mounts it at {@link #MOUNT_PATH}. The file in the repository is exactly what runs.
 *
 * @param configMapName name of the ConfigMap
 * @param namespace namespace of the ConfigMap (the pod's)
 * @param fileName the script's file name, also its key in the ConfigMap
 */
public record ScriptConfigMap(String configMapName, String namespace, String fileName) {
  /** Where pods see their script. */
  public static final String MOUNT_PATH = "/scripts";

  static final String VOLUME = "scripts";
  private static final String RESOURCE_DIR = "/dev/homecluster/scripts/";

  /** The script's text, as shipped in the jar. */
  public static String text(String fileName) {
    try (InputStream in = ScriptConfigMap.class.getResourceAsStream(RESOURCE_DIR + fileName)) {
      if (in == null) {
        throw new IllegalStateException("script " + fileName + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ConfigMap configMap() {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(configMapName)
        .withNamespace(namespace)
        .endMetadata()
        .withData(Map.of(fileName, text(fileName)))
        .build();
  }

  public Volume volume() {
    return new VolumeBuilder()
        .withName(VOLUME)
        .withNewConfigMap()
        .withName(configMapName)
        .withDefaultMode(0555)
        .endConfigMap()
        .build();
  }

  public VolumeMount mount() {
    return new VolumeMountBuilder().withName(VOLUME).withMountPath(MOUNT_PATH).withReadOnly(true).build();
  }

  /** The script's path inside the pod. */
  public String path() {
    return MOUNT_PATH + "/" + fileName;
  }
}
