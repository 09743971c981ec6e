package dev.homecluster.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Host directories from the spec, compared the way the kernel resolves them: {@code //etc/./} is
 * {@code /etc}. Each is a hostPath the operator mounts read-write into a privileged pod or a static
 * pod, so a system directory there is overwritten or exported to the network.
 */
final class HostPaths {
  /**
   * Directories that are refused themselves but may hold a data directory: the system keeps its
   * own files directly inside them, so using one whole would mix them with the cluster's data.
   */
  static final Set<String> SYSTEM_DIRECTORIES =
      Set.of(
          "/", "/var", "/var/lib", "/var/cache", "/var/tmp", "/home", "/root", "/opt", "/srv",
          "/mnt", "/media", "/tmp");

  /**
   * Directories refused with everything inside them: the operating system, the kernel's pseudo
   * file systems, and what the kubelet and the container runtime own.
   */
  static final Set<String> SYSTEM_TREES =
      Set.of(
          "/etc", "/dev", "/proc", "/sys", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
          "/libx32", "/boot", "/run", "/var/run", "/var/lock", "/var/log", "/var/lib/kubelet",
          "/var/lib/containerd", "/var/lib/docker", "/var/lib/cni");

  private HostPaths() {}

  /**
   * The path with repeated slashes, {@code .} segments and a trailing slash removed; empty when it
   * is not absolute or contains {@code ..} (refused outright, as the schema does).
   */
  static Optional<String> normalize(String path) {
    if (path == null || !path.startsWith("/") || path.contains("..") || path.contains("\0")) {
      return Optional.empty();
    }
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty() && !segment.equals(".")) {
        segments.add(segment);
      }
    }
    return Optional.of("/" + String.join("/", segments));
  }

  /** True when {@code inner} is {@code outer} or a directory inside it (both normalized). */
  static boolean within(String inner, String outer) {
    return inner.equals(outer) || outer.equals("/") || inner.startsWith(outer + "/");
  }

  /** True when the two normalized directories are the same or one contains the other. */
  static boolean overlap(String a, String b) {
    return within(a, b) || within(b, a);
  }

  /**
   * Why the normalized path may not be used as a data directory, or empty when it may: the root
   * directory, a system directory, or a directory inside a system tree.
   */
  static Optional<String> systemDirectory(String normalized) {
    if (normalized.equals("/")) {
      return Optional.of("must not be the root directory");
    }
    if (SYSTEM_DIRECTORIES.contains(normalized) || SYSTEM_TREES.contains(normalized)) {
      return Optional.of("must not be the system directory " + normalized);
    }
    for (String tree : SYSTEM_TREES) {
      if (within(normalized, tree)) {
        return Optional.of(
            "must not be inside the system directory " + tree + ", got " + Text.shorten(normalized));
      }
    }
    return Optional.empty();
  }
}
