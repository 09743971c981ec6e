package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.pki.LeafSecretGenerator;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.secrets.SecretGenerators;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kube-controller-manager and kube-scheduler reach the API as the users Kubernetes' default RBAC
 * binds, with a client certificate from a generated Secret, the kubeadm way: nothing is bound
 * for them, so the operator needs no right to grant their permissions.
 */
class ClientKubeconfigTest {
  private static final Map<String, String> USERS =
      Map.of(
          Names.KUBE_CONTROLLER_MANAGER, "system:kube-controller-manager",
          Names.KUBE_SCHEDULER, "system:kube-scheduler");

  @ParameterizedTest
  @ValueSource(strings = {Names.KUBE_CONTROLLER_MANAGER, Names.KUBE_SCHEDULER})
  void rendersNoServiceAccountAndNoBindingOnlyItsKubeconfigAndDeployment(String component) {
    List<HasMetadata> objects = Rendered.component(Examples.HOME, component);

    assertThat(objects).extracting(HasMetadata::getKind).containsExactly("ConfigMap", "Deployment");
    PodSpec pod = pod(objects, component);
    assertThat(pod.getServiceAccountName()).isNull();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getContainers().get(0).getEnv()).as("no in-cluster configuration is used").isNullOrEmpty();
    String kubeconfig = "/etc/kubernetes/kubeconfig/kubeconfig.conf";
    assertThat(pod.getContainers().get(0).getCommand())
        .contains(
            "--kubeconfig=" + kubeconfig,
            "--authentication-kubeconfig=" + kubeconfig,
            "--authorization-kubeconfig=" + kubeconfig);
  }

  @ParameterizedTest
  @ValueSource(strings = {Names.KUBE_CONTROLLER_MANAGER, Names.KUBE_SCHEDULER})
  void kubeconfigGoesToTheVipWithTheCertificateOfTheBuiltInUser(String component) {
    List<HasMetadata> objects = Rendered.component(Examples.HOME, component);
    PodSpec pod = pod(objects, component);
    Map<String, String> files = mountedFiles(pod, objects);
    Config kubeconfig =
        Serialization.unmarshal(files.get(flag(pod, "--kubeconfig")).substring("configmap:".length()), Config.class);

    assertThat(kubeconfig.getClusters()).singleElement().satisfies(c -> assertThat(c.getCluster().getServer())
        .isEqualTo("https://192.168.1.100:8443"));
    var cluster = kubeconfig.getClusters().get(0).getCluster();
    var user = kubeconfig.getUsers().get(0).getUser();
    assertThat(kubeconfig.getCurrentContext()).isEqualTo(kubeconfig.getContexts().get(0).getName());
    assertThat(user.getToken()).isNull();
    assertThat(user.getClientCertificateData()).as("no key material in a ConfigMap").isNull();
    assertThat(user.getClientKeyData()).isNull();

    // Every file it names is mounted from the right Secret.
    assertThat(files.get(cluster.getCertificateAuthority()))
        .isEqualTo("secret:" + Names.CLUSTER_CA_SECRET + "/" + Names.CA_CERT_KEY);
    String certificate = files.get(user.getClientCertificate());
    String key = files.get(user.getClientKey());
    assertThat(certificate).endsWith("/" + Names.TLS_CERT_KEY);
    assertThat(key).isEqualTo(certificate.replace(Names.TLS_CERT_KEY, Names.TLS_PRIVATE_KEY_KEY));

    // That Secret is generated with the common name the default RBAC binds.
    String secret = certificate.substring("secret:".length(), certificate.lastIndexOf('/'));
    HomeCluster home = Examples.load(Examples.HOME);
    LeafSecretGenerator generator =
        SecretGenerators.ALL.stream()
            .filter(LeafSecretGenerator.class::isInstance)
            .map(LeafSecretGenerator.class::cast)
            .filter(g -> g.secretName().equals(secret))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no generator writes " + secret));
    assertThat(generator.profile(home.getSpec()).commonName()).isEqualTo(USERS.get(component));
    assertThat(generator.profile(home.getSpec()).organizations()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {Names.KUBE_CONTROLLER_MANAGER, Names.KUBE_SCHEDULER})
  void podsRollWhenACertificateIsRenewedOrTheVipChanges(String component) {
    HomeCluster home = Examples.load(Examples.HOME);
    String first = inputHash(component, home, "secrets-1");

    assertThat(inputHash(component, home, "secrets-1")).isEqualTo(first);
    assertThat(inputHash(component, home, "secrets-2")).isNotEqualTo(first);
    HomeCluster moved = Examples.load(Examples.HOME);
    moved.getSpec().getControlPlane().getEndpoint().setVip("192.168.1.99");
    assertThat(inputHash(component, moved, "secrets-1")).isNotEqualTo(first);
    assertThat(inputHash(component, home, "")).as("rendered for Git: still a stable hash").isNotEmpty()
        .isEqualTo(inputHash(component, home, ""));
  }

  /** Rendered with {@code secretsHash} as the hash of every Secret the pod mounts ("": for Git). */
  private static String inputHash(String component, HomeCluster cluster, String secretsHash) {
    Map<String, String> inputs = new TreeMap<>();
    if (!secretsHash.isEmpty()) {
      inputs.put(Names.RUNTIME_SECRETS_HASH, secretsHash);
      for (String secret : List.of(Names.CLUSTER_CA_SECRET, Names.SERVICE_ACCOUNT_KEY_SECRET,
          Names.CONTROLLER_MANAGER_CLIENT_SECRET, Names.SCHEDULER_CLIENT_SECRET)) {
        inputs.put(Names.runtimeSecretHash(secret), secretsHash);
      }
      // A Secret neither mounts: never part of their hash.
      inputs.put(Names.runtimeSecretHash(Names.ETCD_MEMBERS_SECRET), secretsHash + "-members");
    }
    var ctx = new RenderContext(cluster, inputs);
    var rendered = component.equals(Names.KUBE_SCHEDULER)
        ? new SchedulerDeployment().render(ctx)
        : new ControllerManagerDeployment().render(ctx);
    return Rendered.find(rendered, Deployment.class, component)
        .getSpec().getTemplate().getMetadata().getAnnotations().get(Names.INPUT_HASH_ANNOTATION);
  }

  private static PodSpec pod(List<HasMetadata> objects, String component) {
    return Rendered.find(objects, Deployment.class, component).getSpec().getTemplate().getSpec();
  }

  private static String flag(PodSpec pod, String name) {
    return pod.getContainers().get(0).getCommand().stream()
        .filter(f -> f.startsWith(name + "="))
        .map(f -> f.substring(name.length() + 1))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name));
  }

  /**
   * Each file the container sees, by absolute path: {@code secret:NAME/KEY} for Secret items of
   * projected volumes, {@code configmap:CONTENT} for ConfigMap keys.
   */
  private static Map<String, String> mountedFiles(PodSpec pod, List<HasMetadata> objects) {
    Container container = pod.getContainers().get(0);
    Map<String, String> files = new TreeMap<>();
    for (VolumeMount mount : container.getVolumeMounts()) {
      Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
      if (volume.getProjected() != null) {
        for (var source : volume.getProjected().getSources()) {
          if (source.getSecret() != null) {
            source.getSecret().getItems().forEach(item -> files.put(
                mount.getMountPath() + "/" + item.getPath(),
                "secret:" + source.getSecret().getName() + "/" + item.getKey()));
          }
        }
      }
      if (volume.getConfigMap() != null) {
        ConfigMap configMap = Rendered.find(objects, ConfigMap.class, volume.getConfigMap().getName());
        configMap.getData().forEach((key, text) -> files.put(mount.getMountPath() + "/" + key, "configmap:" + text));
      }
    }
    return files;
  }
}
