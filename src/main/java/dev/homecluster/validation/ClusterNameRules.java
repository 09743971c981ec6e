package dev.homecluster.validation;

import java.util.regex.Pattern;

/**
 * The HomeCluster's own name. It becomes the {@code app.kubernetes.io/part-of} label of every
 * object the operator renders, the {@code --cluster-name} of the controller-manager, a comment line
 * in haproxy.cfg and keepalived.conf and the first part of its Events' names, so it must be a
 * DNS-1123 label: at most 63 lowercase letters, digits and '-', the limit of a label value. The API
 * server only requires a DNS subdomain (253 characters, dots) of a cluster-scoped object; the CLI
 * reads files that no API server has seen, with capitals, spaces or a newline.
 */
final class ClusterNameRules {
  /** The longest label value, and so the longest name every derived name can carry. */
  static final int MAX_LENGTH = 63;

  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

  private ClusterNameRules() {}

  static void check(String name, Problems problems) {
    if (name == null || name.isEmpty()) {
      problems.error("metadata.name", "is required");
    } else if (name.length() > MAX_LENGTH || !DNS_LABEL.matcher(name).matches()) {
      problems.error(
          "metadata.name",
          "must be a lowercase DNS label of at most "
              + MAX_LENGTH
              + " characters (a-z, 0-9, '-'), since every object carries it as its"
              + " app.kubernetes.io/part-of label, got \""
              + Text.shorten(name)
              + "\""
              + (name.length() > MAX_LENGTH ? " (" + name.length() + " characters)" : ""));
    }
  }
}
