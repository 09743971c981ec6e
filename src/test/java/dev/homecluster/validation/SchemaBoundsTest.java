package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.testing.Examples;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values the CRD's schema refuses (its maxLength, maximum, maxItems and patterns) are refused by
 * the CLI too, at the same field, so a spec that validates locally is never refused by kubectl.
 */
class SchemaBoundsTest {
  static Stream<Arguments> beyondTheSchema() {
    return Stream.of(
        bound(
            "spec.storage.ceph.filesystem.name: must be a lowercase DNS name of at most 40"
                + " characters (a-z, 0-9, '-'), got \"" + "f".repeat(41) + "\"",
            c -> c.getSpec().getStorage().getCeph().getFilesystem().setName("f".repeat(41))),
        bound(
            "spec.storage.ceph.filesystem.dataPoolName: must be a lowercase DNS name of at most 40"
                + " characters (a-z, 0-9, '-'), got \"" + "d".repeat(41) + "\"",
            c -> c.getSpec().getStorage().getCeph().getFilesystem().setDataPoolName("d".repeat(41))),
        bound(
            "spec.storage.ceph.filesystem.replicas: must be at most 7, got 8",
            c -> c.getSpec().getStorage().getCeph().getFilesystem().setReplicas(8)),
        bound(
            "spec.backup.rsync.timeoutSeconds: must be at most 86400 (a day), got 86401",
            c -> c.getSpec().getBackup().getRsync().setTimeoutSeconds(86401)),
        bound(
            "spec.backup.rsync.flags: at most 32 flags are supported, got 33",
            c -> c.getSpec().getBackup().getRsync().setFlags(new ArrayList<>(Collections.nCopies(33, "-a")))),
        bound(
            "spec.backup.zfs.keepSnapshots: must be at most 10000, got 10001",
            c -> c.getSpec().getBackup().getZfs().setKeepSnapshots(10001)),
        bound(
            "spec.backup.etcdSnapshots.keep: must be at most 10000, got 10001",
            c -> c.getSpec().getBackup().getEtcdSnapshots().setKeep(10001)),
        bound(
            "spec.controlPlane.certificates.validityDays: must be at most 3650, got 3651",
            c -> {
              c.getSpec().getControlPlane().getCertificates().setValidityDays(3651);
              c.getSpec().getControlPlane().getCertificates().setCaValidityDays(5000);
            }),
        bound(
            "spec.controlPlane.certificates.caValidityDays: must be between 30 and 36500, got 36501",
            c -> c.getSpec().getControlPlane().getCertificates().setCaValidityDays(36501)),
        bound(
            "spec.backup.rsync.schedule: must be a cron schedule of five fields (minute hour"
                + " day-of-month month day-of-week) or a macro such as @daily, got \" 0 3 * * *\"",
            c -> c.getSpec().getBackup().getRsync().setSchedule(" 0 3 * * *")),
        bound(
            "spec.backup.zfs.dataset: must be a ZFS dataset name such as tank or tank/backups, got \""
                + "t".repeat(64) + "...\"",
            c -> c.getSpec().getBackup().getZfs().setDataset("t".repeat(256))));
  }

  private static Arguments bound(String error, Consumer<HomeCluster> change) {
    return Arguments.of(error, change);
  }

  @ParameterizedTest
  @MethodSource("beyondTheSchema")
  void theCliRefusesWhatTheSchemaRefuses(String error, Consumer<HomeCluster> change) {
    HomeCluster home = Examples.load(Examples.HOME);
    change.accept(home);

    List<String> errors =
        new Validator().validate(home).errors().stream().map(Problem::toString).toList();

    assertThat(errors).containsExactly(error);
  }
}
