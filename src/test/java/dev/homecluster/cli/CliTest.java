package dev.homecluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.testing.Examples;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CliTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  static List<String> examples() {
    return Examples.all();
  }

  static Stream<Path> invalidCorpus() throws IOException {
    Path dir = Examples.repoRoot().resolve("src/test/resources/invalid");
    return Files.list(dir).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleValidatesAndRenders(String example) {
    String file = Examples.path(example).toString();

    Result validate = run("validate", "-f", file);
    Result render = run("render", "-f", file);

    assertThat(validate.code()).as(validate.err()).isZero();
    assertThat(validate.out()).isEqualTo("ok" + System.lineSeparator());
    assertThat(render.code()).as(render.err()).isZero();
    assertThat(render.out()).startsWith("---\n").contains("kind: Node").doesNotContain("PRIVATE KEY");
  }

  @ParameterizedTest
  @MethodSource("invalidCorpus")
  void validateRejectsBadInputNamingTheFieldAndPrintsNothingOnStdout(Path file) throws IOException {
    String expectedPath = Files.readAllLines(file).get(0).replace("# expect: ", "").strip();

    Result validate = run("validate", "-f", file.toString());
    Result render = run("render", "-f", file.toString());

    assertThat(validate.code()).as(validate.err()).isEqualTo(Main.EXIT_INVALID);
    assertThat(validate.out()).isEmpty();
    assertThat(validate.err().lines().filter(l -> !l.startsWith("warning: ")))
        .anySatisfy(line -> assertThat(line).startsWith(expectedPath + ": "));
    assertThat(render.code()).isEqualTo(Main.EXIT_INVALID);
    assertThat(render.out()).as("no partial output").isEmpty();
  }

  @Test
  void corpusHasAtLeastTwentyCases() throws IOException {
    assertThat(invalidCorpus().count()).isGreaterThanOrEqualTo(20);
  }

  /**
   * A kubeconfig whose client key fabric8 cannot read (PKCS#8 EC, as render wrote before): the
   * client's "An error has occurred." alone told nothing; the cause must be on the same line.
   */
  @Test
  void operatorFailurePrintsItsCauseChainOnOneLine(@TempDir Path dir) throws IOException {
    java.time.Instant now = java.time.Instant.now();
    java.security.SecureRandom random = new java.security.SecureRandom();
    var ca = dev.homecluster.pki.CertificateAuthority.create("ca", now, java.time.Duration.ofDays(1), random);
    var client =
        ca.issue(dev.homecluster.pki.CertificateProfile.client("admin", "system:masters"), now, java.time.Duration.ofDays(1), random);
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
    Path kubeconfig = dir.resolve("admin.conf");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', certificate-authority-data: "
                + b64.encodeToString(ca.certificatePem().getBytes()) + "}}]",
            "users: [{name: u, user: {client-certificate-data: " + b64.encodeToString(client.certificatePem().getBytes())
                + ", client-key-data: " + b64.encodeToString(client.privateKeyPem().getBytes()) + "}}]",
            "contexts: [{name: u@c, context: {cluster: c, user: u}}]",
            "current-context: u@c",
            ""));

    Result result =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(60),
            () -> run("operator", "--kubeconfig", kubeconfig.toString(), "--http-port", "-1"));

    assertThat(result.code()).isNotZero();
    assertThat(result.err().lines()).singleElement().asString()
        .startsWith("homecluster: ")
        .contains(": caused by ")
        .contains("Invalid DER");
    assertThat(result.err()).doesNotContain("\tat ");
  }

  @Test
  void describeJoinsEveryCauseAndSkipsRepeats() {
    Exception chain =
        new IllegalStateException(
            "An error has occurred.",
            new java.io.UncheckedIOException(new java.io.IOException("Invalid DER: object is not integer")));

    assertThat(Main.describe(chain))
        .isEqualTo("An error has occurred.: caused by Invalid DER: object is not integer");
    assertThat(Main.describe(new RuntimeException((String) null, new IllegalArgumentException("bad\nport"))))
        .isEqualTo("RuntimeException: caused by bad port");
  }

  @Test
  void missingFileIsOneLineAndExitTwo() {
    Result result = run("render", "-f", "/nonexistent/home.yaml");

    assertThat(result.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines()).containsExactly("homecluster: /nonexistent/home.yaml: no such file");
  }

  @Test
  void unknownFlagIsOneLineAndExitTwo() {
    Result result = run("validate", "-f", Examples.path(Examples.HOME).toString(), "--frobnicate");

    assertThat(result.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(result.err().lines()).singleElement().asString().contains("--frobnicate");
  }

  @Test
  void unparsableYamlIsOneLineAndExitTwo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "apiVersion: homecluster.dev/v1alpha1\nkind: HomeCluster\nspec: {nodes: [\n");

    Result result = run("validate", "-f", file.toString());

    assertThat(result.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(result.err().lines()).singleElement().asString().startsWith("homecluster: " + file + ": not valid YAML");
    assertThat(result.err()).doesNotContain("Exception", "\tat ");
  }

  @Test
  void wrongKindIsRejected(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("pod.yaml");
    Files.writeString(file, "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n");

    Result result = run("validate", "-f", file.toString());

    assertThat(result.code()).isEqualTo(Main.EXIT_INVALID);
    assertThat(result.err()).contains("expected apiVersion homecluster.dev/v1alpha1 and kind HomeCluster");
  }

  @Test
  void warningsDoNotFailValidation(@TempDir Path dir) throws IOException {
    String home = Files.readString(Examples.path(Examples.HOME));
    Path file = dir.resolve("four-masters.yaml");
    Files.writeString(
        file,
        home.replace(
            "    - {name: worker-1,",
            "    - {name: master-4, address: 192.168.1.114, roles: [master]}\n    - {name: worker-1,"));

    Result result = run("validate", "-f", file.toString());

    assertThat(result.code()).isZero();
    assertThat(result.err()).contains("warning: spec.nodes: 4 masters make an etcd cluster of even size");
    assertThat(result.out()).isEqualTo("ok" + System.lineSeparator());
  }
}
