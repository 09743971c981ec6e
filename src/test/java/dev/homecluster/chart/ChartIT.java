package dev.homecluster.chart;

import static dev.homecluster.chart.ChartFixture.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.operator.ConditionTypes;
import dev.homecluster.operator.Conditions;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import dev.homecluster.sim.Eventually;
import dev.homecluster.sim.SimulatedClusterTest;
import dev.homecluster.sim.TestCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The chart installed by Helm into the simulated cluster (real API server: RBAC, Pod Security
 * admission, ServiceAccount tokens, the RBAC escalation check), then used as the operator uses it:
 * with a token of the chart's ServiceAccount, not as admin. First every rendered object is applied
 * (dry run) with that token, which names each object the RBAC refuses; then the real operator runs
 * in-process on that token and reconciles the documented cluster to Ready.
 */
@SimulatedClusterTest
class ChartIT {
  private static final String FULLNAME = "homecluster-operator";
  private static final String FIELD_MANAGER = Names.OPERATOR;

  @Test
  void chartInstallsIntoARestrictedNamespaceAndTheOperatorOnItsServiceAccountMakesTheDocumentedClusterReady(
      TestCluster cluster, Namespace namespace) throws Exception {
    KubernetesClient admin = cluster.client();
    String ns = namespace.getMetadata().getName();
    admin.namespaces().withName(ns).edit(n -> new NamespaceBuilder(n).editMetadata()
        .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
        .addToLabels("pod-security.kubernetes.io/enforce-version", "latest").endMetadata().build());
    List<String> createdNamespaces = new ArrayList<>();
    List<HasMetadata> createdRoles = new ArrayList<>();
    // Rook's CRDs, where shared/reference has them, so that Ceph objects are checked too.
    cluster.installRookCrds();
    try {
      // The chart creates no namespace, and its Roles need theirs (docs/install.md): made first,
      // as a user would, and removed at the end.
      for (String managed : ChartTest.MANAGED_NAMESPACES) {
        if (admin.namespaces().withName(managed).get() == null) {
          admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(managed).endMetadata().build())
              .create();
          createdNamespaces.add(managed);
        }
      }
      Release release = new Helm(ChartFixture.dir()).install()
          .withName(RELEASE).withNamespace(ns).withKubeConfig(cluster.kubeconfig())
          .waitReady().withTimeout(180).call();
      assertThat(release.getStatus()).isEqualTo("deployed");

      // Pod Security admission let both replicas in: the pod meets "restricted".
      Deployment deployment = Eventually.await("both operator replicas ready", Duration.ofSeconds(60),
          () -> admin.apps().deployments().inNamespace(ns).withName(FULLNAME).get(),
          d -> d != null && Objects.equals(d.getStatus().getReadyReplicas(), 2));
      assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(FULLNAME);

      try (KubernetesClient operator = asServiceAccount(cluster, admin, ns)) {
        // It is not admin: no Secrets outside the control-plane namespace, no escalation, and
        // no workloads, ConfigMaps or RBAC written outside the namespaces it manages.
        assertForbidden(() -> operator.configMaps().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
            .withNewMetadata().withName("homecluster-chart-it").endMetadata().build()).dryRun().create());
        assertForbidden(() -> operator.rbac().roleBindings().inNamespace(ns).resource(
            new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder().withNewMetadata().withName("homecluster-chart-it")
                .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName("view").endRoleRef().build()).dryRun().create());
        assertForbidden(() -> operator.secrets().inNamespace(ns).list());
        assertForbidden(() -> operator.secrets().inAnyNamespace().list());
        assertForbidden(() -> operator.rbac().clusterRoles().resource(new ClusterRoleBuilder()
            .withNewMetadata().withName("homecluster-chart-it-escalation").endMetadata()
            .addNewRule().withApiGroups("").withResources("secrets").withVerbs("list").endRule()
            .build()).dryRun().create());

        // What it does itself: the leader Lease, the PKI Secrets in kube-system, the HomeCluster.
        operator.leases().inNamespace(ns).resource(new LeaseBuilder().withNewMetadata()
            .withName("homecluster-chart-it").endMetadata().withNewSpec().withHolderIdentity("chart-it").endSpec()
            .build()).create();
        operator.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).resource(new SecretBuilder()
            .withNewMetadata().withName("homecluster-chart-it").endMetadata().addToStringData("k", "v").build())
            .dryRun().create();
        assertThat(operator.resources(dev.homecluster.api.v1alpha1.HomeCluster.class).list().getItems()).isNotNull();

        // Everything the documented cluster renders, applied (dry run) with the operator's token:
        // the real authorizer and the real RBAC escalation check say whether the chart suffices.
        List<String> refused = new ArrayList<>();
        for (HasMetadata object : new Renderer().render(RenderContext.of(Examples.load(Examples.HOME))).objects()) {
          String objectNamespace = object.getMetadata().getNamespace();
          if (objectNamespace != null && admin.namespaces().withName(objectNamespace).get() == null) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(objectNamespace)
                .endMetadata().build()).create();
            createdNamespaces.add(objectNamespace);
          }
          if (!admin.supports(object.getApiVersion(), object.getKind())) {
            System.err.println("[chart-it] " + ChartFixture.describe(object) + ": its API is not served here, not checked");
            continue;
          }
          try {
            if (isRole(object) && admin.resource(object).get() == null) {
              // Created for real: a binding's escalation check reads the role it binds, so a
              // dry-run role would make every binding after it "not found". Deleted afterwards.
              operator.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
              createdRoles.add(object);
            } else {
              operator.resource(object).dryRun().fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
            }
          } catch (KubernetesClientException e) {
            refused.add(ChartFixture.describe(object) + ": " + e.getCode() + " "
                + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage()));
          }
        }
        assertThat(refused).as("objects the chart's RBAC does not let the operator apply").isEmpty();
      }
      // The operator makes them itself below.
      createdRoles.forEach(r -> admin.resource(r).delete());
      createdRoles.clear();

      HomeCluster ready = OperatorOnChartRbac.reconcileToReady(cluster, admin, ns, Examples.load(Examples.HOME));
      assertThat(Conditions.isTrue(ready.getStatus().getConditions(), ConditionTypes.CONTROL_PLANE_READY)).isTrue();
    } finally {
      Helm.uninstall(RELEASE).withNamespace(ns).withKubeConfig(cluster.kubeconfig()).call();
      createdRoles.forEach(r -> admin.resource(r).delete());
      OperatorOnChartRbac.deleteNamespaces(admin, createdNamespaces);
    }
  }

  private static boolean isRole(HasMetadata object) {
    return object instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole
        || object instanceof io.fabric8.kubernetes.api.model.rbac.Role;
  }

  private static KubernetesClient asServiceAccount(TestCluster cluster, KubernetesClient admin, String ns)
      throws Exception {
    return new KubernetesClientBuilder().withConfig(serviceAccountConfig(cluster, admin, ns)).build();
  }

  /** The admin kubeconfig's server and CA with a token of the chart's ServiceAccount instead of the admin's certificate. */
  static Config serviceAccountConfig(TestCluster cluster, KubernetesClient admin, String ns) throws Exception {
    String token = admin.serviceAccounts().inNamespace(ns).withName(FULLNAME)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
    return new ConfigBuilder(Config.fromKubeconfig(Files.readString(cluster.kubeconfig())))
        .withClientCertData(null).withClientKeyData(null).withClientCertFile(null).withClientKeyFile(null)
        .withOauthToken(token).withNamespace(ns)
        .build();
  }

  private static void assertForbidden(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }
}
