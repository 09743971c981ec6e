package dev.homecluster.cli;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.validation.Problem;
import dev.homecluster.validation.ValidationResult;
import dev.homecluster.validation.Validator;
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
          + " stderr), or prints one line per problem to stderr and exits 1."
    })
public final class ValidateCommand implements Callable<Integer> {
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
    spec.commandLine().getOut().println("ok");
    return 0;
  }
}
