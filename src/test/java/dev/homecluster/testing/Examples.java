package dev.homecluster.testing;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.yaml.Manifests;
import dev.homecluster.yaml.SpecParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The example HomeClusters under manifests/examples, as tests load them. */
public final class Examples {
  /** The documented cluster: 3 masters, 3 workers with sdb, 1 backup node. */
  public static final String HOME = "home";

  public static final String ONE_BOX_LAB = "one-box-lab";
  public static final String BIG = "big";

  private Examples() {}

  public static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("manifests/examples"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  public static Path path(String name) {
    return repoRoot().resolve("manifests/examples/" + name + ".yaml");
  }

  /** A fresh copy of an example, free to modify. */
  public static HomeCluster load(String name) {
    try {
      return Manifests.readHomeCluster(Files.readString(path(name)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SpecParseException e) {
      throw new IllegalStateException("example " + name + " does not parse: " + e.getMessage(), e);
    }
  }

  /** The names of every example. */
  public static List<String> all() {
    try (Stream<Path> files = Files.list(repoRoot().resolve("manifests/examples"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".yaml"))
          .map(f -> f.substring(0, f.length() - ".yaml".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
