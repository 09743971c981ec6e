package dev.homecluster.api.v1alpha1;

/**
 * The schema's CEL rule refusing system directories as host paths, the same set the Java
 * validator ({@code HostPaths}) refuses. CEL has no path functions, so the regular expressions
 * accept the spellings the kernel resolves alike: {@code //}, {@code /.} and a trailing slash.
 * {@code ..} is refused by a rule of its own.
 */
final class HostPathSchema {
  /** Between two segments: one or more slashes, with any {@code .} segments in between. */
  private static final String SEP = "(/+\\\\.)*/+";

  /** Directories refused themselves (the root directory among them). */
  private static final String EXACT =
      "^(/+\\\\.)*/*$|^"
          + SEP
          + "(var|home|root|opt|srv|mnt|media|tmp|var"
          + SEP
          + "(lib|cache|tmp))(/+\\\\.)*/*$";

  /** Directories refused with everything inside them. */
  private static final String TREE =
      "^"
          + SEP
          + "(etc|dev|proc|sys|usr|bin|sbin|lib|lib32|lib64|libx32|boot|run|var"
          + SEP
          + "(run|lock|log|lib"
          + SEP
          + "(kubelet|containerd|docker|cni)))(/.*)?$";

  static final String NOT_SYSTEM_RULE =
      "!self.matches('" + EXACT + "') && !self.matches('" + TREE + "')";

  static final String NOT_SYSTEM_MESSAGE =
      "must not be the root directory or a system directory (such as /etc, /dev, /proc, /sys,"
          + " /usr, /boot, /var/lib or anything in /var/lib/kubelet)";

  /** Java regular expressions of the same rule, for the test that compares it with the validator. */
  static final String EXACT_REGEX = EXACT.replace("\\\\", "\\");

  static final String TREE_REGEX = TREE.replace("\\\\", "\\");

  private HostPathSchema() {}
}
