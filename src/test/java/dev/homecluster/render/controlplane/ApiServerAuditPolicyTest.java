package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.homecluster.render.Names;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Rendered;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit policy as the apiserver reads it: only fields of audit.k8s.io/v1 Policy, the
 * apiserver's own validation rules, and, rule by rule in the apiserver's first-match order, what
 * a user finds in the log for everyday requests. The real binaries' {@code --help} confirms the
 * flag names when the simulated cluster's build is present.
 */
class ApiServerAuditPolicyTest {
  private static final Set<String> LEVELS = Set.of("None", "Metadata", "Request", "RequestResponse");
  private static final Set<String> STAGES =
      Set.of("RequestReceived", "ResponseStarted", "ResponseComplete", "Panic");
  private static final Set<String> RULE_FIELDS =
      Set.of(
          "level", "users", "userGroups", "verbs", "resources", "namespaces", "nonResourceURLs",
          "omitStages", "omitManagedFields");
  private static JsonNode policy;

  @BeforeAll
  static void parse() throws Exception {
    ConfigMap configMap =
        Rendered.find(
            Rendered.component(Examples.HOME, Names.KUBE_APISERVER), ConfigMap.class, Names.APISERVER_AUDIT_POLICY);
    policy = new ObjectMapper(new YAMLFactory()).readTree(configMap.getData().get(ApiServerAuditPolicy.FILE));
  }

  /** One request as the audit policy sees it. */
  private record Request(String user, List<String> groups, String verb, String group, String resource, String path) {
    static Request resource(String user, String verb, String group, String resource) {
      return new Request(user, List.of("system:authenticated"), verb, group, resource, null);
    }

    static Request nonResource(String path) {
      return new Request("system:anonymous", List.of("system:unauthenticated"), "get", null, null, path);
    }
  }

  /** The level of the first rule that matches, as k8s.io/apiserver/pkg/audit/policy does. */
  private static String level(Request request) {
    for (JsonNode rule : policy.get("rules")) {
      if (matches(rule, request)) {
        return rule.get("level").asText();
      }
    }
    return "None";
  }

  private static boolean matches(JsonNode rule, Request request) {
    if (rule.has("users") && !strings(rule.get("users")).contains(request.user())) {
      return false;
    }
    if (rule.has("userGroups") && strings(rule.get("userGroups")).stream().noneMatch(request.groups()::contains)) {
      return false;
    }
    if (rule.has("verbs") && !strings(rule.get("verbs")).contains(request.verb())) {
      return false;
    }
    if (rule.has("resources")) {
      if (request.path() != null) {
        return false;
      }
      boolean any = false;
      for (JsonNode gr : rule.get("resources")) {
        String group = gr.has("group") ? gr.get("group").asText() : "";
        if (group.equals(request.group()) && (!gr.has("resources") || strings(gr.get("resources")).contains(request.resource()))) {
          any = true;
        }
      }
      return any;
    }
    if (rule.has("nonResourceURLs")) {
      if (request.path() == null) {
        return false;
      }
      return strings(rule.get("nonResourceURLs")).stream()
          .anyMatch(p -> p.endsWith("*") ? request.path().startsWith(p.substring(0, p.length() - 1)) : request.path().equals(p));
    }
    return true;
  }

  private static List<String> strings(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  @Test
  void isAnAuditV1PolicyWithOnlyFieldsAndValuesTheApiserverAccepts() {
    assertThat(policy.get("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
    assertThat(policy.get("kind").asText()).isEqualTo("Policy");
    assertThat(iterable(policy.fieldNames())).containsOnly("apiVersion", "kind", "omitStages", "rules");
    assertThat(strings(policy.get("omitStages"))).allMatch(STAGES::contains);
    assertThat(policy.get("rules")).isNotEmpty().allSatisfy(rule -> {
      assertThat(iterable(rule.fieldNames())).isSubsetOf(RULE_FIELDS);
      assertThat(LEVELS).contains(rule.get("level").asText());
      // The apiserver's validation: a rule is about resources or about non-resource URLs, never
      // both, and a wildcard only ends a URL.
      assertThat(rule.has("resources") && rule.has("nonResourceURLs")).isFalse();
      if (rule.has("nonResourceURLs")) {
        assertThat(strings(rule.get("nonResourceURLs")))
            .allMatch(u -> u.startsWith("/") && (u.indexOf('*') < 0 || u.indexOf('*') == u.length() - 1));
      }
      if (rule.has("resources")) {
        rule.get("resources").forEach(gr -> assertThat(iterable(gr.fieldNames())).isSubsetOf("group", "resources", "resourceNames"));
      }
    });
    // The last rule catches everything, so no request goes unlogged by accident.
    JsonNode last = policy.get("rules").get(policy.get("rules").size() - 1);
    assertThat(iterable(last.fieldNames())).containsExactly("level");
  }

  @Test
  void secretsConfigMapsAndTokensAreLoggedWithoutTheirContent() {
    assertThat(level(Request.resource("admin", "get", "", "secrets"))).isEqualTo("Metadata");
    assertThat(level(Request.resource("admin", "create", "", "secrets"))).isEqualTo("Metadata");
    assertThat(level(Request.resource("admin", "patch", "", "configmaps"))).isEqualTo("Metadata");
    assertThat(level(Request.resource("system:serviceaccount:kube-system:x", "create", "", "serviceaccounts/token")))
        .isEqualTo("Metadata");
    assertThat(level(Request.resource("kubelet", "create", "authentication.k8s.io", "tokenreviews"))).isEqualTo("Metadata");
    assertThat(level(Request.resource("kubelet", "create", "authorization.k8s.io", "subjectaccessreviews")))
        .isEqualTo("Metadata");
  }

  @Test
  void otherWritesAreLoggedWithTheirRequestAndReadsWithMetadata() {
    assertThat(level(Request.resource("admin", "create", "apps", "deployments"))).isEqualTo("Request");
    assertThat(level(Request.resource("admin", "delete", "", "pods"))).isEqualTo("Request");
    assertThat(level(Request.resource("admin", "patch", "homecluster.dev", "homeclusters"))).isEqualTo("Request");
    assertThat(level(Request.resource("admin", "list", "", "pods"))).isEqualTo("Metadata");
    assertThat(level(Request.resource("admin", "get", "rbac.authorization.k8s.io", "clusterroles"))).isEqualTo("Metadata");
    // A kubelet's status report is a write like any other.
    Request nodeStatus = new Request("system:node:master-1", List.of("system:nodes"), "patch", "", "nodes/status", null);
    assertThat(level(nodeStatus)).isEqualTo("Request");
  }

  @Test
  void probesWatchesHeartbeatsAndEventsAreNotLogged() {
    assertThat(level(Request.nonResource("/livez"))).isEqualTo("None");
    assertThat(level(Request.nonResource("/readyz"))).isEqualTo("None");
    assertThat(level(Request.nonResource("/healthz/etcd"))).isEqualTo("None");
    assertThat(level(Request.nonResource("/apis/apps/v1"))).isEqualTo("None");
    assertThat(level(Request.nonResource("/openapi/v3"))).isEqualTo("None");
    assertThat(level(Request.resource("admin", "watch", "", "secrets"))).isEqualTo("None");
    assertThat(level(Request.resource("system:kube-scheduler", "update", "coordination.k8s.io", "leases"))).isEqualTo("None");
    assertThat(level(Request.resource("system:kube-controller-manager", "create", "", "events"))).isEqualTo("None");
    Request kubeletReadsNode = new Request("system:node:master-1", List.of("system:nodes"), "get", "", "nodes", null);
    assertThat(level(kubeletReadsNode)).isEqualTo("None");
    // Anything else that is not an API resource is still logged.
    assertThat(level(Request.nonResource("/debug/pprof/heap"))).isEqualTo("Metadata");
  }

  @Test
  void theApiserverWritesARotatedLogToItsMastersDisk() {
    DaemonSet daemonSet =
        Rendered.find(Rendered.component(Examples.HOME, Names.KUBE_APISERVER), DaemonSet.class, Names.KUBE_APISERVER);
    Container container = daemonSet.getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(container.getCommand())
        .contains(
            "--audit-policy-file=" + ApiServerDaemonSet.PKI_DIR + "/audit-policy.yaml",
            "--audit-log-path=/var/log/kubernetes/audit/audit.log",
            "--audit-log-maxage=30",
            "--audit-log-maxbackup=10",
            "--audit-log-maxsize=100",
            "--profiling=false",
            // CIS 1.2.5: the kubelets' serving certificates are verified against the cluster CA.
            "--kubelet-certificate-authority=" + ApiServerDaemonSet.PKI_DIR + "/ca.crt");
    Volume log =
        daemonSet.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getHostPath() != null)
            .findFirst()
            .orElseThrow();
    assertThat(log.getHostPath().getPath()).isEqualTo("/var/log/kubernetes/audit");
    assertThat(container.getVolumeMounts())
        .filteredOn(m -> m.getName().equals(log.getName()))
        .singleElement()
        .satisfies(m -> {
          assertThat(m.getMountPath()).isEqualTo("/var/log/kubernetes/audit");
          assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        });
    // The checkpointer may read the policy's ConfigMap, so a power-cycled master keeps auditing.
    assertThat(ApiServerDaemonSet.CONFIG_MAPS).contains(Names.APISERVER_AUDIT_POLICY);
  }

  @Test
  void controllerManagerAndSchedulerServeNoProfiling() {
    Deployment controllerManager =
        Rendered.find(
            Rendered.component(Examples.HOME, Names.KUBE_CONTROLLER_MANAGER), Deployment.class, Names.KUBE_CONTROLLER_MANAGER);
    Deployment scheduler =
        Rendered.find(Rendered.component(Examples.HOME, Names.KUBE_SCHEDULER), Deployment.class, Names.KUBE_SCHEDULER);

    assertThat(controllerManager.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .contains("--profiling=false");
    assertThat(scheduler.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .contains("--profiling=false");
  }

  private static <T> List<T> iterable(java.util.Iterator<T> iterator) {
    List<T> list = new ArrayList<>();
    iterator.forEachRemaining(list::add);
    return list;
  }
}
