package dev.homecluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.testing.Examples;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code homecluster validate} reports nodes whose declared capacity is too small. */
class ValidatePlanTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int validate(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void warnsAboutAWorkerWhoseDeclaredCapacityIsTooSmallAndStillAcceptsTheSpec() throws Exception {
    String home =
        Files.readString(Examples.path(Examples.HOME))
            .replace(
                "- {name: worker-1, address: 192.168.1.131, roles: [worker], storageDevices:"
                    + " [sdb]}",
                "- {name: worker-1, address: 192.168.1.131, roles: [worker], storageDevices: [sdb],"
                    + " capacity: {cpu: '4', memory: 3Gi}}");
    Path file = dir.resolve("home.yaml");
    Files.writeString(file, home);

    int exit = validate("validate", "-f", file.toString());

    assertThat(exit).isZero();
    assertThat(out.toString()).isEqualTo("ok\n");
    assertThat(err.toString())
        .contains(
            "warning: spec.nodes[3]: worker-1 requests 0.9 CPU of 4 and 3.55Gi memory of 3Gi"
                + " allocatable (declared capacity): overcommitted by 562Mi memory\n");
  }

  @Test
  void printsThePlanOnRequest() {
    int exit = validate("validate", "-f", Examples.path(Examples.HOME).toString(), "--plan");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .startsWith("NODE ")
        .contains("  ceph-osd rook-ceph/rook-ceph sdb")
        .endsWith("ok\n");
  }
}
