package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.BackupSpec;
import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.api.v1alpha1.ControlPlaneSpec;
import dev.homecluster.api.v1alpha1.HomeClusterSpec;
import dev.homecluster.api.v1alpha1.ImageReferences;
import java.util.regex.Pattern;

/**
 * Every image and version from the spec that ends up in a pod: it must be a reference the kubelet
 * can pull, checked with the same grammar as the CRD ({@link ImageReferences}). A value that
 * cannot be pulled ({@code 3.6.4-0 ; id}, a space, an uppercase repository) would otherwise
 * render pods stuck in InvalidImageName; a digest pin ({@code @sha256:...}) is accepted everywhere.
 */
final class ImageRules implements Rule {
  private static final Pattern REFERENCE = Pattern.compile(ImageReferences.REFERENCE);
  private static final Pattern REPOSITORY = Pattern.compile(ImageReferences.REPOSITORY);
  private static final Pattern TAG = Pattern.compile(ImageReferences.TAG);

  /** The schema's maxLength of imageRepository and of etcd's version. */
  private static final int MAX_REPOSITORY_LENGTH = 253;

  private static final int MAX_TAG_LENGTH = 200;

  @Override
  public void check(HomeClusterSpec spec, Problems problems) {
    String repository = spec.getImageRepository();
    if (repository == null || repository.isEmpty()) {
      problems.error("spec.imageRepository", "is required (for example registry.k8s.io)");
    } else if (repository.length() > MAX_REPOSITORY_LENGTH
        || !REPOSITORY.matcher(repository).matches()) {
      problems.error(
          "spec.imageRepository",
          "must be a registry with an optional lowercase path, such as registry.k8s.io or"
              + " mirror.home.lan:5000/k8s, got \""
              + Text.shorten(repository)
              + "\"");
    }
    ControlPlaneSpec cp = spec.getControlPlane();
    if (cp != null && cp.getEtcd() != null) {
      String version = cp.getEtcd().getVersion();
      if (version == null
          || version.length() > MAX_TAG_LENGTH
          || !TAG.matcher(version).matches()) {
        problems.error(
            "spec.controlPlane.etcd.version",
            "must be an image tag such as 3.6.4-0, optionally pinned as 3.6.4-0@sha256:<64 hex"
                + " digits>, got \""
                + (version == null ? "" : Text.shorten(version))
                + "\"");
      }
    }
    if (cp != null && cp.getEndpoint() != null) {
      image("spec.controlPlane.endpoint.keepalivedImage", cp.getEndpoint().getKeepalivedImage(), problems);
      image("spec.controlPlane.endpoint.haproxyImage", cp.getEndpoint().getHaproxyImage(), problems);
    }
    CephSpec ceph = spec.getStorage() == null ? null : spec.getStorage().getCeph();
    if (ceph != null && ceph.getImage() != null && !ceph.getImage().isBlank()) {
      // A missing Ceph image is StorageRules' to report (only when Ceph is on).
      image("spec.storage.ceph.image", ceph.getImage(), problems);
    }
    BackupSpec backup = spec.getBackup();
    if (backup != null) {
      image("spec.backup.nfsImage", backup.getNfsImage(), problems);
      if (backup.getRsync() != null) {
        image("spec.backup.rsync.image", backup.getRsync().getImage(), problems);
      }
      if (backup.getZfs() != null) {
        image("spec.backup.zfs.image", backup.getZfs().getImage(), problems);
      }
    }
  }

  private static void image(String path, String reference, Problems problems) {
    if (reference == null || reference.isEmpty()) {
      problems.error(path, "is required (an image such as " + ImageReferences.EXAMPLE + ")");
    } else if (reference.length() > ImageReferences.MAX_LENGTH
        || !REFERENCE.matcher(reference).matches()) {
      problems.error(
          path,
          "must be an image reference with a lowercase repository and an optional tag and digest,"
              + " such as "
              + ImageReferences.EXAMPLE
              + ", got \""
              + Text.shorten(reference)
              + "\"");
    }
  }
}
