package dev.homecluster.validation;

import dev.homecluster.api.v1alpha1.HomeClusterSpec;

/** One group of checks on a spec. Rules read the spec and report; they never change it. */
public interface Rule {
  void check(HomeClusterSpec spec, Problems problems);
}
