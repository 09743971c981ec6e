package dev.homecluster.secrets;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.pki.CaSecretGenerator;
import dev.homecluster.pki.EncryptionConfigSecretGenerator;
import dev.homecluster.pki.EtcdMembersSecretGenerator;
import dev.homecluster.pki.LeafSecretGenerator;
import dev.homecluster.pki.ServiceAccountKeySecretGenerator;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every SecretGenerator the operator runs, in order: CAs before the certificates they sign. */
public final class SecretGenerators {
  /** Register new generators here. */
  public static final List<SecretGenerator> ALL =
      List.of(
          CaSecretGenerator.CLUSTER,
          CaSecretGenerator.ETCD,
          CaSecretGenerator.FRONT_PROXY,
          ServiceAccountKeySecretGenerator.INSTANCE,
          EncryptionConfigSecretGenerator.INSTANCE,
          LeafSecretGenerator.APISERVER_SERVING,
          LeafSecretGenerator.APISERVER_KUBELET_CLIENT,
          LeafSecretGenerator.APISERVER_ETCD_CLIENT,
          LeafSecretGenerator.FRONT_PROXY_CLIENT,
          LeafSecretGenerator.CONTROLLER_MANAGER_CLIENT,
          LeafSecretGenerator.SCHEDULER_CLIENT,
          LeafSecretGenerator.ETCD_CLIENT,
          EtcdMembersSecretGenerator.INSTANCE,
          VrrpAuthSecretGenerator.INSTANCE);

  private SecretGenerators() {}

  /**
   * Runs {@link #ALL} in order, each seeing what the ones before it produced, so a new or renewed
   * CA and the leaves it signs come out of the same pass. What each reconcile should call.
   *
   * @return the Secrets to create or replace, by name, in generator order; empty when all is well
   * @throws dev.homecluster.pki.PkiException when an existing Secret is unusable and must not be
   *     overwritten (nothing is returned then, so nothing is half-applied)
   */
  public static Map<String, Secret> generateAll(
      HomeCluster cluster, Map<String, Secret> existing, Instant now, SecureRandom random) {
    return generateAll(ALL, cluster, existing, now, random);
  }

  /** As {@link #generateAll(HomeCluster, Map, Instant, SecureRandom)}, with given generators. */
  public static Map<String, Secret> generateAll(
      List<SecretGenerator> generators,
      HomeCluster cluster,
      Map<String, Secret> existing,
      Instant now,
      SecureRandom random) {
    Map<String, Secret> seen = new HashMap<>(existing);
    Map<String, Secret> changed = new LinkedHashMap<>();
    for (SecretGenerator generator : generators) {
      for (Secret secret : new ArrayList<>(generator.generate(cluster, seen, now, random))) {
        seen.put(secret.getMetadata().getName(), secret);
        changed.put(secret.getMetadata().getName(), secret);
      }
    }
    return changed;
  }
}
