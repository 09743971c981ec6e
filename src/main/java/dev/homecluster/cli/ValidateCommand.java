package dev.homecluster.cli;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.render.storage.ResourcePlan;
import dev.homecluster.render.storage.ResourcePlanner;
import dev.homecluster.validation.Problem;
import dev.homecluster.validation.ValidationResult;
import dev.homecluster.validation.Validator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code homecluster validate -f FILE}: ok, or one line per problem on stderr. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks a HomeCluster. Prints 'ok' and exits 0 when it can be applied (warnings go to"
          + " stderr), or prints one line per problem to stderr and exits 1. Warnings include"
          + " nodes whose declared capacity is smaller than what is placed on them."
    })
public final class ValidateCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE",
      description = "HomeCluster YAML file, or - for standard input.")
  String file;

  @Option(
      names = "--plan",
      description = "Also print the resource plan: per node, the pods placed there and their requests.")
  boolean plan;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    HomeCluster cluster;
    try {
      cluster = SpecFile.read(file, System.in);
    } catch (SpecFile.UnreadableSpecException e) {
      return SpecFile.report(spec.commandLine().getErr(), e);
    }
    ValidationResult result = new Validator().validate(cluster);
    for (Problem problem : result.problems()) {
      spec.commandLine().getErr().println(problem);
    }
    if (!result.isValid()) {
      return Main.EXIT_INVALID;
    }
    // Before the nodes exist, the plan compares requests with the capacity declared in the spec.
    ResourcePlan resourcePlan =
        ResourcePlanner.plan(
            cluster, new Renderer().render(RenderContext.of(cluster)).objects(), Map.of());
    for (Problem problem : resourcePlan.warnings()) {
      spec.commandLine().getErr().println(problem);
    }
    if (plan) {
      spec.commandLine().getOut().print(resourcePlan.table());
    }
    spec.commandLine().getOut().println("ok");
    return 0;
  }
}
