package dev.homecluster.bench;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.sim.SimulatedCluster;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One fresh simulated cluster prepared for a HomeCluster: CRDs (and Rook's when present), one fake
 * Node per machine, the operator's ServiceAccount and kubeconfig; and the HomeCluster's rendering
 * written to a file for the floor.
 */
public final class BenchCluster implements AutoCloseable {
  public static final String API_VERSION = "homecluster.dev/v1alpha1";

  private final SimulatedCluster sim;
  private final HomeCluster homeCluster;
  private final Path dir;
  private final Path operatorKubeconfig;
  private final Path homeClusterFile;
  private final Path renderedFile;
  private final List<HasMetadata> rendered;
  private final AuditLog audit;

  private BenchCluster(SimulatedCluster sim, HomeCluster homeCluster, Path dir) {
    this.sim = sim;
    this.homeCluster = homeCluster;
    this.dir = dir;
    this.audit = new AuditLog(sim.stateDir());
    this.rendered = new Renderer().render(RenderContext.of(homeCluster)).objects();
    this.homeClusterFile = dir.resolve("homecluster.yaml");
    this.renderedFile = dir.resolve("rendered.yaml");
    try {
      Files.writeString(homeClusterFile, Manifests.toYaml(homeCluster));
      // kubectl applies in file order: the Namespaces first, as the operator applies them.
      List<HasMetadata> floorOrder = new ArrayList<>(rendered);
      floorOrder.sort(java.util.Comparator.comparing(o -> !(o instanceof Namespace)));
      Files.writeString(renderedFile, Manifests.toYaml(floorOrder));
    } catch (IOException e) {
      throw new BenchException("cannot write into " + dir + ": " + e.getMessage(), e);
    }
    createForeignNamespaces();
    this.operatorKubeconfig =
        OperatorIdentity.create(sim.client(), sim.kubeconfig(), dir.resolve("operator.kubeconfig"));
  }

  /**
   * The namespaces the rendering uses but does not create, as a user's cluster has them: Rook's
   * (its Helm chart creates it), kube-system.
   */
  private void createForeignNamespaces() {
    java.util.Set<String> own = new java.util.HashSet<>();
    java.util.Set<String> used = new java.util.TreeSet<>();
    for (HasMetadata o : rendered) {
      if (o instanceof Namespace) {
        own.add(o.getMetadata().getName());
      } else if (o.getMetadata().getNamespace() != null) {
        used.add(o.getMetadata().getNamespace());
      }
    }
    used.removeAll(own);
    for (String ns : used) {
      if (client().namespaces().withName(ns).get() == null) {
        client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      }
    }
  }

  /** Starts a fresh simulated cluster in {@code dir}/sim for {@code homeCluster}. */
  public static BenchCluster start(Path dir, HomeCluster homeCluster) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new BenchException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    SimulatedCluster sim = SimulatedCluster.start(dir.resolve("sim"));
    try {
      sim.installCrds();
      sim.installRookCrds();
      sim.createNodes(homeCluster);
      return new BenchCluster(sim, homeCluster, dir);
    } catch (RuntimeException e) {
      sim.close();
      throw e;
    }
  }

  public SimulatedCluster sim() {
    return sim;
  }

  public KubernetesClient client() {
    return sim.client();
  }

  public HomeCluster homeCluster() {
    return homeCluster;
  }

  public String name() {
    return homeCluster.getMetadata().getName();
  }

  public Path dir() {
    return dir;
  }

  public Path operatorKubeconfig() {
    return operatorKubeconfig;
  }

  public List<HasMetadata> rendered() {
    return rendered;
  }

  public Workloads workloads() {
    return new Workloads(rendered);
  }

  public AuditLog audit() {
    return audit;
  }

  public boolean rookCrdsInstalled() {
    return Files.isRegularFile(sim.rookCrdsFile());
  }

  /** {@code kubectl apply -f homecluster.yaml}, as a user would. */
  public void kubectlApplyHomeCluster() {
    kubectl("apply", "-f", homeClusterFile.toString());
  }

  /** The floor: {@code kubectl apply --server-side} of render's output. */
  public void kubectlApplyRendered() {
    kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=floor", "-f", renderedFile.toString());
  }

  public void kubectl(String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", sim.kubeconfig().toString()));
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile(dir, "kubectl", ".log");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new BenchException(String.join(" ", command) + " did not finish within 120 s");
      }
      if (p.exitValue() != 0) {
        throw new BenchException(String.join(" ", command) + " failed: " + Files.readString(out));
      }
      Files.delete(out);
    } catch (IOException e) {
      throw new BenchException("cannot run kubectl: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }

  /** The HomeCluster as stored, or null. */
  public GenericKubernetesResource homeClusterResource() {
    return client().genericKubernetesResources(API_VERSION, "HomeCluster").withName(name()).get();
  }

  /** True when the HomeCluster's Ready condition is True for its current generation. */
  @SuppressWarnings("unchecked")
  public boolean homeClusterReady() {
    GenericKubernetesResource hc = homeClusterResource();
    if (hc == null || !(hc.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return false;
    }
    Object observed = status.get("observedGeneration");
    if (observed == null
        || !Objects.equals(((Number) observed).longValue(), hc.getMetadata().getGeneration())) {
      return false;
    }
    if (!(status.get("conditions") instanceof List<?> conditions)) {
      return false;
    }
    for (Object c : conditions) {
      Map<String, Object> cond = (Map<String, Object>) c;
      if ("Ready".equals(cond.get("type"))) {
        return "True".equals(cond.get("status"));
      }
    }
    return false;
  }

  /** Why the HomeCluster is not Ready, for error messages. */
  public String homeClusterStatus() {
    GenericKubernetesResource hc = homeClusterResource();
    return hc == null ? "no HomeCluster" : String.valueOf(hc.getAdditionalProperties().get("status"));
  }

  /** Waits, polling every {@code pollMillis}, until {@code done}; false on timeout. */
  public static boolean await(BooleanSupplier done, Duration timeout, long pollMillis) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (done.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException transientApiError) {
        // the API server may be busy; try again
      }
      OperatorProcess.sleep(pollMillis);
    }
    return false;
  }

  @Override
  public void close() {
    sim.close();
  }
}
