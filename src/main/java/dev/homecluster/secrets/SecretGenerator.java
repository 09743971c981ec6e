package dev.homecluster.secrets;

import dev.homecluster.api.v1alpha1.HomeCluster;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Makes Secrets that can only exist at run time (certificates, keys, passwords). Unlike render
 * components these use randomness and the clock, so the operator calls them, never {@code render}.
 *
 * <p>Contract: create what is missing; re-issue only what must change (expiring, or no longer
 * matching the spec, such as a certificate without a SAN the spec now needs); never return a
 * Secret whose content should stay as it is. Secrets go in {@code Names.CONTROL_PLANE_NAMESPACE}.
 * Never log key material.
 */
public interface SecretGenerator {
  /** Short name for logs and events. */
  String name();

  /**
   * @param cluster the validated HomeCluster
   * @param existing the Secrets that exist now, by name (only those this operator manages)
   * @param now the current time, for expiry checks
   * @param random the source of key material
   * @return Secrets to create or replace, complete (labels are stamped by the caller)
   */
  List<Secret> generate(
      HomeCluster cluster, Map<String, Secret> existing, Instant now, SecureRandom random);
}
