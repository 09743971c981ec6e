package dev.homecluster.chart;

import static dev.homecluster.chart.ChartFixture.NAMESPACE;
import static dev.homecluster.chart.ChartFixture.find;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.homecluster.chart.Permissions.Request;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart in operator/, linted and templated by Helm itself, and its objects checked. */
class ChartTest {
  private static final String FULLNAME = "homecluster-operator";
  private static final String CRD_FILE = "homeclusters.homecluster.dev-v1.yml";

  /** Default values first, then each values file of operator/ci on top of them. */
  static Stream<String> valuesSets() {
    return Stream.concat(Stream.of("(defaults)"), ChartFixture.VALUES_FILES.stream());
  }

  private static List<HasMetadata> render(String valuesSet) {
    return valuesSet.equals("(defaults)") ? ChartFixture.template() : ChartFixture.template(valuesSet);
  }

  @Test
  void lintFindsNothing() {
    LintResult lint = new Helm(ChartFixture.dir()).lint().strict().call();

    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void defaultsRunTwoReplicasUnderLeaderElection() {
    List<HasMetadata> objects = ChartFixture.template();
    Deployment deployment = find(objects, Deployment.class, "Deployment", FULLNAME);
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(operator.getArgs()).containsExactly("operator", "--leader-election");
    assertThat(operator.getEnv())
        .anySatisfy(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name"))
        .anySatisfy(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace"));
    assertThat(Permissions.of(objects, NAMESPACE, FULLNAME).allows(new Request(NAMESPACE, "coordination.k8s.io", "leases", "update", "any")))
        .as("may take the leader Lease in its namespace")
        .isTrue();
    assertThat(find(objects, PodDisruptionBudget.class, "PodDisruptionBudget", FULLNAME).getSpec().getMaxUnavailable().getIntVal())
        .isEqualTo(1);
  }

  @Test
  void singleReplicaRunsWithoutLeaderElection() {
    List<HasMetadata> objects = ChartFixture.template("single-replica-values.yaml");
    Deployment deployment = find(objects, Deployment.class, "Deployment", FULLNAME);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getType())
        .as("the old operator stops before the new one starts")
        .isEqualTo("Recreate");
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsExactly("operator");
    assertThat(Permissions.of(objects, NAMESPACE, FULLNAME).allows(new Request(NAMESPACE, "coordination.k8s.io", "leases", "get", "any")))
        .as("no Lease access without leader election")
        .isFalse();
    assertThat(objects).noneMatch(o -> o instanceof PodDisruptionBudget);
  }

  @Test
  void refusesTwoReplicasWithoutLeaderElection() {
    assertThatThrownBy(() -> ChartFixture.template(Map.of("leaderElection.enabled", false)))
        .hasMessageContaining("replicaCount > 1 needs leaderElection.enabled");
  }

  @Test
  void schemaRejectsAMistypedValue() {
    assertThatThrownBy(() -> ChartFixture.template(Map.of("replicas", 3)))
        .hasMessageContaining("replicas")
        .hasMessageContaining("additional properties");
    assertThatThrownBy(() -> ChartFixture.template(Map.of("logLevel", "LOUD")))
        .hasMessageContaining("logLevel");
  }

  @Test
  void monitoringValuesAddServiceMonitorAndAlerts() {
    List<HasMetadata> objects = ChartFixture.template("monitoring-values.yaml");
    Service service = find(objects, Service.class, "Service", FULLNAME + "-metrics");
    GenericKubernetesResource monitor = find(objects, GenericKubernetesResource.class, "ServiceMonitor", FULLNAME);
    GenericKubernetesResource rule = find(objects, GenericKubernetesResource.class, "PrometheusRule", FULLNAME);

    assertThat(service.getSpec().getPorts().get(0).getName()).isEqualTo("http-metrics");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    assertThat((Map<String, String>) monitor.get("spec", "selector", "matchLabels"))
        .isEqualTo(service.getSpec().getSelector());
    assertThat((String) monitor.get("spec", "endpoints", 0, "port")).isEqualTo("http-metrics");
    List<Map<String, Object>> alerts = rule.get("spec", "groups", 0, "rules");
    assertThat(alerts)
        .extracting(a -> a.get("alert"))
        .containsExactly(
            "HomeClusterNotReady",
            "HomeClusterBackupsUnhealthy",
            "HomeClusterBackupsStale",
            "HomeClusterCertificateExpiring",
            "HomeClusterOperatorDown");
    assertThat(alerts.get(0)).containsEntry("for", "20m");
    assertThat((String) alerts.get(0).get("expr")).contains("homecluster_condition{type=\"Ready\"");
    assertThat((String) alerts.get(3).get("expr")).contains("homecluster_certificate_expiration_timestamp_seconds");
    assertThat((String) alerts.get(4).get("expr")).contains("job=\"" + FULLNAME + "-metrics\"");
  }

  @Test
  void defaultsLeavePrometheusOperatorObjectsOut() {
    assertThat(ChartFixture.template()).noneMatch(o -> o.getApiVersion().startsWith("monitoring.coreos.com/"));
  }

  @Test
  void customImageIsPinnedByDigestAndPulledWithTheSecret() {
    Deployment deployment = find(ChartFixture.template("custom-image-values.yaml"), Deployment.class, "Deployment", FULLNAME);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();

    assertThat(pod.getContainers().get(0).getImage())
        .isEqualTo("registry.home.lan:5000/homecluster-operator@sha256:4c8b5a2f9e0d1c3b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b");
    assertThat(pod.getContainers().get(0).getImagePullPolicy()).isEqualTo("Always");
    assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("home-registry");
  }

  @ParameterizedTest
  @MethodSource("valuesSets")
  void rbacHasNoWildcardsAndCannotEscalate(String valuesSet) {
    List<HasMetadata> objects = render(valuesSet);
    List<PolicyRule> rules = new ArrayList<>();
    ChartFixture.all(objects, ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
    ChartFixture.all(objects, Role.class).forEach(r -> rules.addAll(r.getRules()));

    assertThat(rules).isNotEmpty();
    assertThat(rules).allSatisfy(rule -> {
      assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate");
      assertThat(rule.getResources()).noneMatch(r -> r.contains("*"));
      assertThat(rule.getApiGroups()).doesNotContain("*");
      assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
    });
  }

  @Test
  void secretsAreReachableOnlyInTheControlPlaneNamespace() {
    Permissions operator = Permissions.of(ChartFixture.template(), NAMESPACE, FULLNAME);

    assertThat(operator.allows(new Request(Names.CONTROL_PLANE_NAMESPACE, "", "secrets", "create", null))).isTrue();
    assertThat(operator.allows(new Request(Names.CONTROL_PLANE_NAMESPACE, "", "secrets", "watch", null))).isTrue();
    assertThat(operator.allows(new Request(null, "", "secrets", "list", null))).as("cluster-wide").isFalse();
    assertThat(operator.allows(new Request(Names.BACKUP_NAMESPACE, "", "secrets", "get", "x"))).isFalse();
    assertThat(operator.allows(new Request(NAMESPACE, "", "secrets", "get", "x"))).isFalse();
  }

  /** Where the chart's Roles let the operator read and write namespaced objects (values rbac.namespaces). */
  static final List<String> MANAGED_NAMESPACES = Names.OPERATOR_NAMESPACES;

  /**
   * The chart's default rbac.namespaces are exactly the namespaces the operator's informers watch
   * by default, and the Deployment hands the values' list to the operator, so a Role exists
   * wherever it reads.
   */
  @Test
  @SuppressWarnings("unchecked")
  void defaultRbacNamespacesAreTheNamespacesTheOperatorWatches() throws IOException {
    Map<String, Object> values =
        new org.yaml.snakeyaml.Yaml().load(Files.readString(ChartFixture.dir().resolve("values.yaml")));
    List<String> namespaces = (List<String>) ((Map<String, Object>) values.get("rbac")).get("namespaces");
    assertThat(namespaces).containsExactlyInAnyOrderElementsOf(Names.OPERATOR_NAMESPACES);

    Deployment deployment = ChartFixture.all(ChartFixture.template(), Deployment.class).get(0);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .filteredOn(e -> e.getName().equals("HOMECLUSTER_NAMESPACES"))
        .singleElement()
        .satisfies(e -> assertThat(List.of(e.getValue().split(","))).containsExactlyElementsOf(namespaces));
  }

  /**
   * Workloads, ConfigMaps, Services, accounts, RBAC, CronJobs, Jobs and Rook's objects are read
   * and written only in the namespaces the operator manages, through a Role in each; cluster-wide
   * it may not list or watch them (its informers watch those namespaces alone). Services are the
   * exception: CoreDNS's ClusterRole lists them, and the operator must hold what it grants.
   */
  @Test
  void namespacedObjectsAreWritableOnlyInTheNamespacesTheOperatorManages() {
    List<HasMetadata> objects = ChartFixture.template();
    Permissions operator = Permissions.of(objects, NAMESPACE, FULLNAME);
    assertThat(ChartFixture.all(objects, Role.class))
        .filteredOn(r -> r.getMetadata().getName().equals(FULLNAME + "-objects"))
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrderElementsOf(MANAGED_NAMESPACES);
    List<String[]> kinds =
        List.of(
            new String[] {"", "configmaps"}, new String[] {"", "services"}, new String[] {"", "serviceaccounts"},
            new String[] {"", "persistentvolumeclaims"}, new String[] {"apps", "daemonsets"},
            new String[] {"apps", "deployments"}, new String[] {"batch", "cronjobs"},
            new String[] {"policy", "poddisruptionbudgets"}, new String[] {"rbac.authorization.k8s.io", "roles"},
            new String[] {"rbac.authorization.k8s.io", "rolebindings"}, new String[] {"ceph.rook.io", "cephclusters"});
    for (String[] kind : kinds) {
      for (String verb : List.of("create", "update", "patch", "delete")) {
        for (String managed : MANAGED_NAMESPACES) {
          assertThat(operator.allows(new Request(managed, kind[0], kind[1], verb, "x")))
              .as("%s %s in %s", verb, kind[1], managed).isTrue();
        }
        for (String other : List.of("default", NAMESPACE, "someones-app")) {
          assertThat(operator.allows(new Request(other, kind[0], kind[1], verb, "x")))
              .as("%s %s in %s", verb, kind[1], other).isFalse();
        }
        assertThat(operator.allows(new Request(null, kind[0], kind[1], verb, null))).as("%s %s cluster-wide", verb, kind[1])
            .isFalse();
      }
      for (String verb : List.of("get", "list", "watch")) {
        for (String managed : MANAGED_NAMESPACES) {
          assertThat(operator.allows(new Request(managed, kind[0], kind[1], verb, null)))
              .as("%s %s in %s", verb, kind[1], managed).isTrue();
        }
        for (String other : List.of("default", "someones-app")) {
          assertThat(operator.allows(new Request(other, kind[0], kind[1], verb, null)))
              .as("%s %s in %s", verb, kind[1], other).isEqualTo(kind[1].equals("services") && !verb.equals("get"));
        }
        if (!kind[1].equals("services")) {
          assertThat(operator.allows(new Request(null, kind[0], kind[1], verb, null)))
              .as("%s %s cluster-wide", verb, kind[1]).isFalse();
        }
      }
    }
    for (String verb : List.of("get", "list", "watch")) {
      assertThat(operator.allows(new Request(Names.BACKUP_NAMESPACE, "batch", "jobs", verb, null))).as("%s jobs", verb).isTrue();
      assertThat(operator.allows(new Request(null, "batch", "jobs", verb, null))).as("%s jobs cluster-wide", verb).isFalse();
      assertThat(operator.allows(new Request("default", "batch", "jobs", verb, null))).as("%s jobs in default", verb).isFalse();
    }
  }

  @Test
  void operatorMayApplyEveryObjectItRendersForEveryExample() {
    Permissions operator = Permissions.of(ChartFixture.template(), NAMESPACE, FULLNAME);
    List<String> refused = new ArrayList<>();
    for (String example : Examples.all()) {
      for (HasMetadata object : new Renderer().render(RenderContext.of(Examples.load(example))).objects()) {
        String[] groupAndResource = Permissions.groupAndResource(object);
        for (String verb : List.of("get", "list", "watch", "patch")) {
          // Informers list and watch in the object's namespace (cluster-scoped kinds cluster-wide),
          // the one rbac.namespaces lists; apply and get go there too.
          String namespace = object.getMetadata().getNamespace();
          assertThat(namespace == null || MANAGED_NAMESPACES.contains(namespace)).as("%s: %s", example, namespace).isTrue();
          Request request = new Request(namespace, groupAndResource[0], groupAndResource[1], verb, object.getMetadata().getName());
          if (!operator.allows(request)) {
            refused.add(example + ": " + request);
          }
        }
      }
    }
    assertThat(refused).isEmpty();
  }

  /** It watches CSRs and approves those of the kubelet-serving signer, and no other signer's. */
  @Test
  void operatorMayApproveKubeletServingCertificatesOnly() {
    Permissions operator = Permissions.of(ChartFixture.template(), NAMESPACE, FULLNAME);
    for (String verb : List.of("get", "list", "watch")) {
      assertThat(operator.allows(new Request(null, "certificates.k8s.io", "certificatesigningrequests", verb, null))).as(verb)
          .isTrue();
    }
    assertThat(operator.allows(new Request(null, "certificates.k8s.io", "certificatesigningrequests/approval", "update", "x")))
        .isTrue();
    assertThat(operator.allows(new Request(null, "certificates.k8s.io", "signers", "approve",
        dev.homecluster.operator.KubeletServingCsrDecision.SIGNER))).isTrue();
    for (String signer : List.of("kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet",
        "kubernetes.io/legacy-unknown")) {
      assertThat(operator.allows(new Request(null, "certificates.k8s.io", "signers", "approve", signer))).as(signer).isFalse();
    }
    assertThat(operator.allows(new Request(null, "certificates.k8s.io", "certificatesigningrequests", "create", null))).isFalse();
  }

  @Test
  void operatorMayFindAndDeleteTheVolumesAndClaimsItKeeps() {
    Permissions operator = Permissions.of(ChartFixture.template(), NAMESPACE, FULLNAME);
    // Found by label when a HomeCluster is deleted (volumes cluster-wide, claims in each managed
    // namespace); deleted with deletionPolicy: Delete.
    assertThat(operator.allows(new Request(null, "", "persistentvolumes", "list", null))).isTrue();
    assertThat(operator.allows(new Request(null, "", "persistentvolumes", "delete", "x"))).isTrue();
    for (String namespace : MANAGED_NAMESPACES) {
      assertThat(operator.allows(new Request(namespace, "", "persistentvolumeclaims", "list", null))).as(namespace).isTrue();
      assertThat(operator.allows(new Request(namespace, "", "persistentvolumeclaims", "delete", "x"))).as(namespace).isTrue();
    }
  }

  /**
   * The finalizer lists every kind {@link DataBearing} names, rendered or not (objects of an
   * older spec count too): for each Rook kind among them the operator needs list and delete, or
   * a HomeCluster can never be deleted where Rook is installed.
   */
  @Test
  void operatorMayFindAndDeleteEveryRookKindThatHoldsData() throws IOException {
    Path crds = dev.homecluster.sim.CrdInstaller.rookCrdsFile(Examples.repoRoot());
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(crds),
        "the Rook CRDs are not at " + crds + " (set HOMECLUSTER_SHARED_DIR): skipped");
    Permissions operator = Permissions.of(ChartFixture.template(), NAMESPACE, FULLNAME);
    List<String> dataKinds = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (HasMetadata object : ChartFixture.parse(Files.readString(crds))) {
      CustomResourceDefinition crd = (CustomResourceDefinition) object;
      String group = crd.getSpec().getGroup();
      String kind = crd.getSpec().getNames().getKind();
      String version = crd.getSpec().getVersions().get(0).getName();
      GenericKubernetesResource sample = new GenericKubernetesResource();
      sample.setApiVersion(group + "/" + version);
      sample.setKind(kind);
      if (!dev.homecluster.operator.DataBearing.test(sample)) {
        continue;
      }
      dataKinds.add(kind);
      String plural = crd.getSpec().getNames().getPlural();
      for (Request request : List.of(
          new Request("rook-ceph", group, plural, "list", null),
          new Request("rook-ceph", group, plural, "delete", "x"))) {
        if (!operator.allows(request)) {
          refused.add(kind + ": " + request);
        }
      }
    }
    assertThat(dataKinds).contains("CephCluster", "CephFilesystem", "CephBlockPool");
    assertThat(refused).isEmpty();
  }

  @Test
  void operatorHoldsEveryPermissionTheRolesItRendersGrant() {
    Permissions operator = Permissions.of(ChartFixture.template(), NAMESPACE, FULLNAME);
    List<String> missing = new ArrayList<>();
    for (String example : Examples.all()) {
      for (HasMetadata object : new Renderer().render(RenderContext.of(Examples.load(example))).objects()) {
        List<PolicyRule> rules =
            object instanceof ClusterRole clusterRole ? clusterRole.getRules()
                : object instanceof Role role ? role.getRules() : List.of();
        for (PolicyRule rule : rules) {
          operator
              .missingToGrant(rule, object.getMetadata().getNamespace())
              .forEach(r -> missing.add(example + " " + ChartFixture.describe(object) + ": " + r));
        }
      }
    }
    assertThat(missing).as("Kubernetes refuses to create a role granting what its creator lacks").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("valuesSets")
  void operatorPodMeetsPodSecurityRestricted(String valuesSet) {
    PodSpec pod = find(render(valuesSet), Deployment.class, "Deployment", FULLNAME).getSpec().getTemplate().getSpec();

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isNotZero();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).isNull());
    for (Container container : pod.getContainers()) {
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(container.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
      assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(container.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(container.getVolumeMounts())
          .as("the JVM needs a writable /tmp on a read-only root")
          .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
      assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
      assertThat(container.getResources().getLimits()).containsKey("memory");
    }
  }

  @Test
  void chartCarriesTheCrdOfTheApi() throws IOException {
    Path repo = Examples.repoRoot();
    String chartCrd = Files.readString(ChartFixture.dir().resolve("crds").resolve(CRD_FILE));
    String copyCommand = "run: cp crds/" + CRD_FILE + " operator/crds/";

    assertThat(chartCrd).as(copyCommand).isEqualTo(Files.readString(repo.resolve("crds").resolve(CRD_FILE)));
    Path generated = repo.resolve("target/classes/META-INF/fabric8").resolve(CRD_FILE);
    if (Files.exists(generated)) {
      assertThat(chartCrd)
          .as("the API changed: mvn -q process-classes, copy %s to crds/ and operator/crds/", generated)
          .isEqualTo(Files.readString(generated));
    }
    CustomResourceDefinition crd = (CustomResourceDefinition) ChartFixture.parse(chartCrd).get(0);
    assertThat(crd.getSpec().getNames().getShortNames()).contains("hc");
  }

  @Test
  void defaultImageIsTheOneTheImageProfileBuilds() throws Exception {
    Path repo = Examples.repoRoot();
    org.w3c.dom.Document pom =
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(repo.resolve("pom.xml").toFile());
    javax.xml.xpath.XPath xpath = javax.xml.xpath.XPathFactory.newInstance().newXPath();
    String version = xpath.evaluate("/project/version", pom);
    String imageName = xpath.evaluate("/project/profiles/profile[id='image']/properties/image.name", pom);
    Map<String, Object> chart = Serialization.unmarshal(Files.readString(ChartFixture.dir().resolve("Chart.yaml")), Map.class);
    Deployment deployment = find(ChartFixture.template(), Deployment.class, "Deployment", FULLNAME);

    assertThat(chart.get("appVersion")).as("Chart.yaml appVersion follows the pom").isEqualTo(version);
    assertThat(imageName).isEqualTo("homecluster-operator:${project.version}");
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("homecluster-operator:" + version);
  }

  @Test
  void templateLeavesTheCrdToHelmsCrdsDirectory() {
    assertThat(ChartFixture.template()).noneMatch(o -> o instanceof CustomResourceDefinition);
  }
}
