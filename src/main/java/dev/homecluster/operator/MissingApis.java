package dev.homecluster.operator;

import java.util.List;

/** Why a component was skipped when the cluster lacks the custom resources it needs, and what to do. */
final class MissingApis {
  static final String ROOK_GROUP = "ceph.rook.io/";

  private MissingApis() {}

  /** RookNotInstalled for Rook's kinds, ApiNotServed otherwise. */
  static String reason(List<String> missing) {
    return missing.stream().allMatch(api -> api.startsWith(ROOK_GROUP)) ? "RookNotInstalled" : "ApiNotServed";
  }

  static String message(List<String> missing) {
    String served = "the cluster does not serve " + String.join(", ", missing);
    if (missing.stream().allMatch(api -> api.startsWith(ROOK_GROUP))) {
      return "install Rook (the rook-ceph operator Helm chart, which brings its CRDs): "
          + served
          + "; storage is skipped until then";
    }
    return "install the operator that provides them: " + served + "; this component is skipped until then";
  }
}
