package dev.homecluster.sim;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.yaml.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The documented home cluster, manifests/examples/home.yaml: 3 masters, 3 workers, 1 backup. */
public final class DocumentedCluster {
  private DocumentedCluster() {}

  public static Path file() {
    return SimBuild.repoRoot().resolve("manifests/examples/home.yaml");
  }

  /** A fresh copy on every call, so that a test may change it. */
  public static HomeCluster load() {
    Path file = file();
    try {
      return Manifests.readHomeCluster(Files.readString(file));
    } catch (IOException e) {
      throw new SimulatedClusterException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new SimulatedClusterException(file + " is not a valid HomeCluster: " + e.getMessage(), e);
    }
  }
}
