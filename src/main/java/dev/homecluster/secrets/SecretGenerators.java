package dev.homecluster.secrets;

import java.util.List;

/** Every SecretGenerator the operator runs, in order: CAs before the certificates they sign. */
public final class SecretGenerators {
  /** Register new generators here. */
  public static final List<SecretGenerator> ALL = List.of(new VrrpAuthSecretGenerator());

  private SecretGenerators() {}
}
