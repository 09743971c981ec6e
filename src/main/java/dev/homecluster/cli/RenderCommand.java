package dev.homecluster.cli;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.RenderResult;
import dev.homecluster.render.Renderer;
import dev.homecluster.validation.Problem;
import dev.homecluster.validation.ValidationResult;
import dev.homecluster.validation.Validator;
import dev.homecluster.yaml.Manifests;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code homecluster render -f FILE}: every object the HomeCluster becomes, as YAML. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Prints every object a HomeCluster becomes as multi-document YAML on stdout, for a GitOps"
          + " repository or to rebuild a cluster. Secrets the operator generates at run time"
          + " (certificates, keys, the VRRP password) are not printed.",
      "Exits 1 with the problems on stderr, and prints nothing, when the HomeCluster is invalid."
    })
public final class RenderCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE",
      description = "HomeCluster YAML file, or - for standard input.")
  String file;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    HomeCluster cluster;
    try {
      cluster = SpecFile.read(file, System.in);
    } catch (SpecFile.UnreadableSpecException e) {
      spec.commandLine().getErr().println(
          e.exitCode() == Main.EXIT_USAGE ? "homecluster: " + e.getMessage() : e.getMessage());
      return e.exitCode();
    }
    ValidationResult result = new Validator().validate(cluster);
    for (Problem problem : result.problems()) {
      spec.commandLine().getErr().println(problem);
    }
    if (!result.isValid()) {
      return Main.EXIT_INVALID;
    }
    RenderResult rendered = new Renderer().render(RenderContext.of(cluster));
    spec.commandLine().getOut().print(Manifests.toYaml(rendered.objects()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
