package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.testing.Examples;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Storage devices Ceph would format: never the same disk twice however it is written, never a disk
 * and its own partition, never a pseudo device of the kernel.
 */
class StorageDeviceRulesTest {
  private static final String WORKER_1 = "spec.nodes[3].storageDevices";

  private final HomeCluster home = Examples.load(Examples.HOME);

  private List<String> errorsFor(String... devices) {
    home.getSpec().getNodes().get(3).setStorageDevices(List.of(devices));
    return new Validator().validate(home).errors().stream().map(Problem::toString).toList();
  }

  @Test
  void rejectsTheSameDiskByKernelNameAndPath() {
    assertThat(errorsFor("sdb", "/dev/sdb"))
        .containsExactly(WORKER_1 + "[1]: /dev/sdb is the same disk as " + WORKER_1 + "[0] (sdb)");
  }

  @Test
  void rejectsTheSameDiskTwiceInTheSameSpelling() {
    assertThat(errorsFor("/dev/sdc", "/dev/sdc"))
        .containsExactly(WORKER_1 + "[1]: device /dev/sdc is listed twice");
  }

  @Test
  void rejectsADiskAndItsOwnPartition() {
    assertThat(errorsFor("sdb", "sdb1"))
        .containsExactly(
            WORKER_1 + "[1]: sdb1 is a partition of sdb, which " + WORKER_1
                + "[0] already gives Ceph whole");
  }

  @Test
  void rejectsAnNvmePartitionListedBeforeItsDisk() {
    assertThat(errorsFor("/dev/nvme0n1p1", "nvme0n1"))
        .containsExactly(
            WORKER_1 + "[0]: /dev/nvme0n1p1 is a partition of nvme0n1, which " + WORKER_1
                + "[1] already gives Ceph whole");
  }

  @Test
  void acceptsTwoPartitionsOfOneDiskAndOtherDisks() {
    assertThat(errorsFor("sdb1", "sdb2", "sdc", "nvme0n1", "nvme1n1p3", "mmcblk0p2")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/dev/zero", "/dev/null", "zero", "/dev/full", "/dev/random", "/dev/urandom", "loop0",
        "/dev/loop7", "ram0", "/dev/zram0", "/dev/sr0", "/dev/tty1", "/dev/shm/osd", "/dev/pts/0"
      })
  void rejectsPseudoDevices(String device) {
    assertThat(errorsFor(device))
        .containsExactly(
            WORKER_1 + "[0]: " + device + " is not a disk but a pseudo device of the kernel; list"
                + " the worker's disks, such as sdb or /dev/disk/by-id/...");
  }

  @Test
  void keepsStablePathsAsTheyAre() {
    assertThat(
            errorsFor(
                "/dev/disk/by-id/ata-Samsung_SSD_860_EVO_1TB_S3Z9NB0K123456X",
                "/dev/disk/by-path/pci-0000:00:17.0-ata-2",
                "sdb"))
        .isEmpty();
  }

  @Test
  void rejectsMoreDevicesThanTheCrdAllows() {
    assertThat(errorsFor(Collections.nCopies(33, "sdb").toArray(String[]::new)))
        .containsExactly(WORKER_1 + ": at most 32 devices per node are supported, got 33");
  }
}
