package dev.homecluster.render;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;

/** Image references derived from the spec. */
public final class Images {
  private Images() {}

  /** A Kubernetes component image: {@code <imageRepository>/<name>:v<kubernetesVersion>}. */
  public static String kubernetes(HomeClusterSpec spec, String name) {
    return spec.getImageRepository() + "/" + name + ":v" + spec.getKubernetesVersion();
  }

  /** Any image from the spec's repository with an explicit tag. */
  public static String fromRepository(HomeClusterSpec spec, String name, String tag) {
    return spec.getImageRepository() + "/" + name + ":" + tag;
  }
}
