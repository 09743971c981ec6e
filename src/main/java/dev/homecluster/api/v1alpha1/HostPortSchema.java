package dev.homecluster.api.v1alpha1;

/**
 * The schema's CEL rule refusing ports already bound on the masters' host network, the same list
 * as the Java validator's ({@code ControlPlaneRules.RESERVED_PORTS}; a test compares them).
 */
final class HostPortSchema {
  static final String NOT_RESERVED_RULE =
      "!(self in [22, 2379, 2380, 2381, 8404, 10248, 10249, 10250, 10256, 10257, 10259])";

  static final String NOT_RESERVED_MESSAGE =
      "must not be a port the masters' host network already uses: 22 (sshd), 2379-2381 (etcd),"
          + " 8404 (HAProxy health), 10248 and 10250 (kubelet), 10249 and 10256 (kube-proxy),"
          + " 10257 (controller-manager), 10259 (scheduler)";

  private HostPortSchema() {}
}
