package dev.homecluster.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code homecluster}: render, validate and run the operator. */
@Command(
    name = "homecluster",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Runs a whole home Kubernetes cluster from one HomeCluster resource.",
    subcommands = {
      RenderCommand.class,
      ValidateCommand.class,
      OperatorCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for usage errors: unknown flags, missing or unreadable files, bad YAML. */
  public static final int EXIT_USAGE = 2;

  /** Exit code when the HomeCluster has validation errors. */
  public static final int EXIT_INVALID = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI on the process's stdout and stderr and returns the exit code. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** Runs the CLI with the given output streams and returns the exit code (tests call this). */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(
        (ex, argv) -> {
          ex.getCommandLine()
              .getErr()
              .println(
                  "homecluster: "
                      + ex.getMessage()
                      + " (see '"
                      + ex.getCommandLine().getCommandSpec().qualifiedName()
                      + " --help')");
          return EXIT_USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("homecluster: " + describe(ex));
          return EXIT_USAGE;
        });
    return cli;
  }

  private static String describe(Exception ex) {
    String message = ex.getMessage();
    return message == null || message.isBlank() ? ex.getClass().getSimpleName() : message;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
