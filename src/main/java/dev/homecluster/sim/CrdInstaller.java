package dev.homecluster.sim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Installs CustomResourceDefinitions from YAML files into any cluster and waits until served. */
public final class CrdInstaller {
  private static final long ESTABLISHED_TIMEOUT_SECONDS = 60;

  private CrdInstaller() {}

  /** Environment variable: the project's shared/ folder, when it is not beside the repository. */
  public static final String SHARED_DIR_ENV = "HOMECLUSTER_SHARED_DIR";

  /**
   * Where the real Rook CRDs are expected: reference/rook/crds.yaml in $HOMECLUSTER_SHARED_DIR, by
   * default in the shared/ folder beside the repository (../shared).
   */
  public static Path rookCrdsFile(Path repo) {
    String env = System.getenv(SHARED_DIR_ENV);
    Path shared = env != null && !env.isBlank() ? Path.of(env) : repo.resolveSibling("shared");
    return shared.resolve("reference/rook/crds.yaml");
  }

  /** Installs the CRDs of every *.yaml / *.yml file in the folder, in name order. */
  public static List<String> installFolder(KubernetesClient client, Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new SimulatedClusterException("no CRD folder at " + dir);
    }
    List<Path> yamls;
    try (Stream<Path> files = Files.list(dir)) {
      yamls =
          files
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new SimulatedClusterException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    if (yamls.isEmpty()) {
      throw new SimulatedClusterException("no CRD file (*.yaml) in " + dir);
    }
    List<String> names = new ArrayList<>();
    for (Path yaml : yamls) {
      names.addAll(installFile(client, yaml));
    }
    return names;
  }

  /** Server-side applies the CRDs of one file, then waits until each is Established. */
  public static List<String> installFile(KubernetesClient client, Path yaml) {
    List<HasMetadata> items;
    try (InputStream in = Files.newInputStream(yaml)) {
      items = client.load(in).items();
    } catch (IOException | KubernetesClientException e) {
      throw new SimulatedClusterException(
          "cannot read CRDs from " + yaml + ": " + e.getMessage(), e);
    }
    List<CustomResourceDefinition> crds =
        items.stream()
            .filter(CustomResourceDefinition.class::isInstance)
            .map(CustomResourceDefinition.class::cast)
            .toList();
    if (crds.isEmpty()) {
      throw new SimulatedClusterException("no CustomResourceDefinition in " + yaml);
    }
    for (CustomResourceDefinition crd : crds) {
      crd.getMetadata().setResourceVersion(null);
      try {
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .resource(crd)
            .fieldManager("homecluster-sim")
            .forceConflicts()
            .serverSideApply();
      } catch (KubernetesClientException e) {
        throw new SimulatedClusterException(
            "the API server rejected CRD "
                + crd.getMetadata().getName()
                + " from "
                + yaml
                + ": "
                + e.getMessage(),
            e);
      }
    }
    List<String> names = crds.stream().map(c -> c.getMetadata().getName()).toList();
    // Polling beats one watch per CRD: a CRD is usually Established within a few milliseconds.
    long deadline = System.nanoTime() + ESTABLISHED_TIMEOUT_SECONDS * 1_000_000_000L;
    for (String name : names) {
      while (!isEstablished(
          client.apiextensions().v1().customResourceDefinitions().withName(name).get())) {
        if (System.nanoTime() > deadline) {
          throw new SimulatedClusterException(
              "CRD " + name + " was not Established within " + ESTABLISHED_TIMEOUT_SECONDS + "s");
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SimulatedClusterException("interrupted while waiting for CRD " + name, e);
        }
      }
    }
    return names;
  }

  static boolean isEstablished(CustomResourceDefinition crd) {
    if (crd == null || crd.getStatus() == null || crd.getStatus().getConditions() == null) {
      return false;
    }
    for (CustomResourceDefinitionCondition c : crd.getStatus().getConditions()) {
      if ("Established".equals(c.getType()) && "True".equals(c.getStatus())) {
        return true;
      }
    }
    return false;
  }
}
