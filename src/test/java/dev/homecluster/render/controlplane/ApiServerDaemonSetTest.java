package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiServerDaemonSetTest {
  private final List<HasMetadata> home = Rendered.component(Examples.HOME, Names.KUBE_APISERVER);

  private DaemonSet daemonSet() {
    return Rendered.find(home, DaemonSet.class, Names.KUBE_APISERVER);
  }

  private PodTemplateSpec template() {
    return daemonSet().getSpec().getTemplate();
  }

  private Container container() {
    return template().getSpec().getContainers().get(0);
  }

  @Test
  void apiServerRunsOnlyOnMasters() {
    assertThat(template().getSpec().getNodeSelector()).isEqualTo(Map.of("node-role.kubernetes.io/control-plane", ""));
    assertThat(template().getSpec().getHostNetwork()).isTrue();
    assertThat(template().getSpec().getPriorityClassName()).isEqualTo("system-cluster-critical");
  }

  @Test
  void listensOnTheApiServerPortAndAdvertisesTheHostIp() {
    assertThat(container().getCommand()).contains("--secure-port=6443", "--advertise-address=$(HOST_IP)");
    assertThat(container().getEnv())
        .anySatisfy(e -> {
          assertThat(e.getName()).isEqualTo("HOST_IP");
          assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.hostIP");
        });
    assertThat(container().getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(6443));
  }

  @Test
  void talksToEveryMastersEtcdOverTls() {
    assertThat(container().getCommand())
        .contains(
            "--etcd-servers=https://192.168.1.111:2379,https://192.168.1.112:2379,https://192.168.1.113:2379",
            "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
            "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
            "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key");
  }

  @Test
  void allowsAnonymousRequestsOnlyForHealthEndpoints() {
    assertThat(container().getCommand())
        .contains("--authentication-config=/etc/kubernetes/pki/authentication-config.yaml")
        // The flag and the file's anonymous section are mutually exclusive.
        .noneMatch(flag -> flag.startsWith("--anonymous-auth"));
    String config = ApiServerAuthenticationConfig.yaml();
    assertThat(config).contains("enabled: true", "- path: /livez", "- path: /readyz", "- path: /healthz");
    assertThat(Rendered.find(home, io.fabric8.kubernetes.api.model.ConfigMap.class, Names.APISERVER_AUTHENTICATION_CONFIG).getData())
        .containsEntry(ApiServerAuthenticationConfig.FILE, config);
    assertThat(container().getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container().getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
  }

  @Test
  void usesServiceAccountKeysIssuerAndEncryptionAtRest() {
    assertThat(container().getCommand())
        .contains(
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
            "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
            "--service-cluster-ip-range=10.96.0.0/12",
            "--encryption-provider-config=/etc/kubernetes/pki/encryption-config.yaml",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction",
            "--endpoint-reconciler-type=lease",
            "--requestheader-allowed-names=" + Names.FRONT_PROXY_CLIENT_CN);
  }

  @Test
  void mountsTheGeneratedSecretsReadOnlyAndNoCaKey() {
    List<VolumeProjection> sources = template().getSpec().getVolumes().get(0).getProjected().getSources();

    assertThat(sources)
        .filteredOn(s -> s.getSecret() != null)
        .extracting(s -> s.getSecret().getName())
        .containsExactlyInAnyOrderElementsOf(ApiServerDaemonSet.SECRETS);
    assertThat(sources)
        .filteredOn(s -> s.getSecret() != null)
        .flatExtracting(s -> s.getSecret().getItems())
        .noneMatch(item -> item.getKey().equals("ca.key"));
    // Everything but the audit log's directory is read-only.
    assertThat(container().getVolumeMounts())
        .filteredOn(m -> !m.getMountPath().equals(ApiServerAuditPolicy.LOG_DIR))
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue());
    // Every file a flag names is in the volume.
    List<String> files =
        sources.stream()
            .flatMap(s -> (s.getSecret() != null ? s.getSecret().getItems() : s.getConfigMap().getItems()).stream())
            .map(i -> ApiServerDaemonSet.PKI_DIR + "/" + i.getPath())
            .toList();
    assertThat(container().getCommand())
        .filteredOn(flag -> flag.contains("=" + ApiServerDaemonSet.PKI_DIR + "/"))
        .allSatisfy(flag -> assertThat(files).contains(flag.substring(flag.indexOf('=') + 1)));
  }

  private static DaemonSet renderedWith(Map<String, String> secretHashes) {
    Map<String, String> inputs = new java.util.TreeMap<>();
    inputs.put(Names.RUNTIME_SECRETS_HASH, "all");
    secretHashes.forEach((name, hash) -> inputs.put(Names.runtimeSecretHash(name), hash));
    var ctx = new RenderContext(Examples.load(Examples.HOME), inputs);
    return Rendered.find(new ApiServerDaemonSet().render(ctx), DaemonSet.class, Names.KUBE_APISERVER);
  }

  private static String inputHash(DaemonSet ds) {
    return ds.getSpec().getTemplate().getMetadata().getAnnotations().get(Names.INPUT_HASH_ANNOTATION);
  }

  @Test
  void rollsOneMasterAtATimeWhenASecretItMountsChangesAndOnlyThen() {
    Map<String, String> before = new java.util.TreeMap<>();
    ApiServerDaemonSet.SECRETS.forEach(name -> before.put(name, name + "-v1"));
    before.put(Names.ETCD_MEMBERS_SECRET, "members-v1");
    DaemonSet ds = renderedWith(before);

    assertThat(inputHash(ds)).hasSize(16);
    assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(Names.CHECKPOINT_ANNOTATION, "true");
    // A renewed serving certificate rolls the apiservers...
    Map<String, String> renewed = new java.util.TreeMap<>(before);
    renewed.put(Names.APISERVER_SERVING_SECRET, "serving-v2");
    assertThat(inputHash(renderedWith(renewed))).isNotEqualTo(inputHash(ds));
    // ...a renewed etcd member certificate, which they do not mount, does not.
    Map<String, String> unrelated = new java.util.TreeMap<>(before);
    unrelated.put(Names.ETCD_MEMBERS_SECRET, "members-v2");
    assertThat(inputHash(renderedWith(unrelated))).isEqualTo(inputHash(ds));
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();
  }

  @Test
  void pullsFromTheMirrorWhenOneIsSet() {
    var cluster = Examples.load(Examples.HOME);
    cluster.getSpec().setImageRepository("mirror.home.lan/k8s");

    DaemonSet ds = Rendered.find(Rendered.component(cluster, Names.KUBE_APISERVER), DaemonSet.class, Names.KUBE_APISERVER);

    assertThat(ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("mirror.home.lan/k8s/kube-apiserver:v1.34.2");
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches("kube-apiserver/home.yaml", Manifests.toYaml(home));
  }
}
