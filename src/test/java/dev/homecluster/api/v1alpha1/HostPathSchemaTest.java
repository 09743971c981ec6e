package dev.homecluster.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.testing.Examples;
import dev.homecluster.validation.Problem;
import dev.homecluster.validation.Validator;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRD's CEL rule on host paths refuses exactly what the Java validator refuses as a system
 * directory, so {@code kubectl apply} and {@code homecluster validate} agree.
 */
class HostPathSchemaTest {
  private static final Pattern EXACT = Pattern.compile(HostPathSchema.EXACT_REGEX);
  private static final Pattern TREE = Pattern.compile(HostPathSchema.TREE_REGEX);

  private static boolean schemaRefuses(String path) {
    return EXACT.matcher(path).find() || TREE.matcher(path).find();
  }

  /** True when the validator refuses the path as the export for being a system directory. */
  private static boolean validatorRefuses(String path) {
    HomeCluster home = Examples.load(Examples.HOME);
    home.getSpec().getBackup().setExportPath(path);
    return new Validator()
        .validate(home).errors().stream()
            .filter(p -> p.path().equals("spec.backup.exportPath"))
            .map(Problem::message)
            .anyMatch(m -> m.contains("system directory") || m.contains("root directory"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/", "//", "/.", "/./", "///.//", "/etc", "/etc/", "//etc/.", "/./etc", "/etc/kubernetes",
        "/dev", "/dev/shm", "/proc", "/sys", "/usr", "/usr/local/x", "/bin", "/sbin", "/lib",
        "/lib64", "/boot", "/run", "/var", "/var/", "/var/lib", "/var/lib/", "/var//./lib",
        "/var/lib/kubelet", "/var/lib/kubelet/pods", "/var/lib/containerd", "/var/log/x",
        "/var/run", "/home", "/root", "/opt", "/srv", "/mnt", "/media", "/tmp", "/var/tmp"
      })
  void bothRefuseSystemDirectories(String path) {
    assertThat(schemaRefuses(path)).as("schema").isTrue();
    assertThat(validatorRefuses(path)).as("validator").isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/tank", "/tank/", "/srv/backup", "/var/lib/etcd", "/var/lib/rook", "/var/lib/kubelet2",
        "/etcd", "/etc2", "/.etc", "/devices", "/var/library", "/home/me/backups", "/mnt/pool",
        "/var/lib/./rook", "/usrx", "/runner"
      })
  void bothAcceptDataDirectories(String path) {
    assertThat(schemaRefuses(path)).as("schema").isFalse();
    assertThat(validatorRefuses(path)).as("validator").isFalse();
  }
}
