package dev.homecluster.bench;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** JMH: validate and render the example grown to N nodes (the whole pipeline the operator runs). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RenderBenchmark {
  @Param("7")
  public int nodes;

  @Param("manifests/examples/home.yaml")
  public String example;

  private HomeCluster cluster;
  private Renderer renderer;

  @Setup
  public void setup() throws IOException {
    cluster = ScaledHomeCluster.of(Files.readString(Path.of(example)), nodes);
    renderer = new Renderer();
  }

  @Benchmark
  public List<HasMetadata> render() {
    return renderer.render(RenderContext.of(cluster)).objects();
  }

  /**
   * Runs the benchmark in one forked JVM per node count (3 warm-up and 5 measured iterations of 1
   * s) and returns the median render time in milliseconds by node count.
   */
  public static Map<String, Double> run(Path example, List<Integer> nodeCounts) {
    var options =
        new OptionsBuilder()
            .include(RenderBenchmark.class.getName() + ".render")
            .param("nodes", nodeCounts.stream().map(String::valueOf).toArray(String[]::new))
            .param("example", example.toAbsolutePath().toString())
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(5)
            .measurementTime(TimeValue.seconds(1))
            .jvmArgsAppend("-Xmx256m")
            .build();
    Collection<RunResult> results;
    try {
      results = new Runner(options).run();
    } catch (RunnerException e) {
      throw new BenchException("JMH failed: " + e.getMessage(), e);
    }
    Map<String, Double> medians = new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
    for (RunResult r : results) {
      medians.put(r.getParams().getParam("nodes"), r.getPrimaryResult().getStatistics().getPercentile(50));
    }
    return medians;
  }
}
