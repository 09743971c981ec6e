package dev.homecluster.cli;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.bootstrap.BootstrapAssets;
import dev.homecluster.bootstrap.BootstrapFile;
import dev.homecluster.bootstrap.BootstrapWriter;
import dev.homecluster.bootstrap.ExistingSecrets;
import dev.homecluster.pki.PkiException;
import io.fabric8.kubernetes.api.model.Secret;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.RenderResult;
import dev.homecluster.render.Renderer;
import dev.homecluster.validation.Problem;
import dev.homecluster.validation.ValidationResult;
import dev.homecluster.validation.Validator;
import dev.homecluster.yaml.Manifests;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
      "Exits 1 with the problems on stderr, and prints nothing, when the HomeCluster is invalid.",
      "With --bootstrap -o DIR, writes instead everything needed to bring the cluster up from bare"
          + " machines into DIR (new or empty): generated PKI and Secrets, kubeconfigs, static pods"
          + " for etcd and a temporary control plane, and the render output (docs/bootstrap.md)."
          + " DIR holds private keys: files 0600, directories 0700."
    })
public final class RenderCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE",
      description = "HomeCluster YAML file, or - for standard input.")
  String file;

  @Option(
      names = "--bootstrap",
      description =
          "Write the files that bring the cluster up from bare machines into --output-dir.")
  boolean bootstrap;

  @Option(
      names = {"-o", "--output-dir"},
      paramLabel = "DIR",
      description = "With --bootstrap: a new or empty directory to write into.")
  Path outputDir;

  @Option(
      names = "--reuse-secrets",
      paramLabel = "PATH",
      description =
          "With --bootstrap: keep these Secrets (a secrets/ directory written before, or"
              + " 'kubectl get secret -o yaml' output) instead of making a new PKI, to rebuild a"
              + " cluster with its CAs, service-account keys and encryption key.")
  Path reuseSecrets;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (bootstrap != (outputDir != null) || (reuseSecrets != null && !bootstrap)) {
      spec.commandLine()
          .getErr()
          .println(
              "homecluster: --bootstrap and --output-dir go together, and --reuse-secrets needs"
                  + " them (see 'homecluster render --help')");
      return Main.EXIT_USAGE;
    }
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
    RenderResult rendered = new Renderer().render(RenderContext.of(cluster));
    if (bootstrap) {
      return writeBootstrap(cluster);
    }
    spec.commandLine().getOut().print(Manifests.toYaml(rendered.objects()));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private int writeBootstrap(HomeCluster cluster) {
    Map<String, Secret> existing = Map.of();
    if (reuseSecrets != null) {
      try {
        existing = ExistingSecrets.read(reuseSecrets);
      } catch (ExistingSecrets.UnreadableSecretsException e) {
        spec.commandLine().getErr().println("homecluster: " + e.getMessage());
        return Main.EXIT_USAGE;
      }
    }
    List<BootstrapFile> files;
    try {
      files = BootstrapAssets.build(cluster, existing, Instant.now(), new SecureRandom());
    } catch (PkiException e) {
      spec.commandLine().getErr().println("homecluster: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    try {
      BootstrapWriter.write(outputDir, files);
    } catch (BootstrapWriter.OutputDirectoryException e) {
      spec.commandLine().getErr().println("homecluster: " + e.getMessage());
      return Main.EXIT_USAGE;
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println("homecluster: " + outputDir + ": cannot write: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    spec.commandLine()
        .getErr()
        .println(
            "homecluster: warning: "
                + outputDir
                + " holds the cluster's private keys (tls/, secrets/, etc/, nodes/, auth/); keep it"
                + " offline and delete it once the cluster runs");
    spec.commandLine()
        .getOut()
        .println("wrote " + files.size() + " files to " + outputDir + " (next: docs/bootstrap.md)");
    return 0;
  }
}
