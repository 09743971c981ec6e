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

  /**
   * The exception's message followed by each cause's, {@code <message>: caused by <message>...}:
   * clients wrap the one useful line (fabric8's "An error has occurred." hides "Invalid DER: ..."
   * in its cause). A cause whose message only repeats its wrapper's is skipped; a blank message is
   * replaced by the exception's class name. One line, never a stack trace.
   */
  static String describe(Throwable ex) {
    java.util.List<String> messages = new java.util.ArrayList<>();
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable t = ex; t != null && seen.add(t); t = t.getCause()) {
      // new Wrapper(cause) takes cause.toString() as its message: let the cause speak instead.
      boolean wrapperOnly = t.getCause() != null && String.valueOf(t.getCause()).equals(t.getMessage());
      String message = message(t);
      if (wrapperOnly || (!messages.isEmpty() && messages.get(messages.size() - 1).contains(message))) {
        continue;
      }
      messages.add(message);
    }
    return String.join(": caused by ", messages).replace('\n', ' ');
  }

  private static String message(Throwable ex) {
    String message = ex.getMessage();
    return message == null || message.isBlank() ? ex.getClass().getSimpleName() : message.strip();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
