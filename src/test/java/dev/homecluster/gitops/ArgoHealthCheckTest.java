package dev.homecluster.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * The Argo CD health check of manifests/gitops/argocd/homecluster-health.lua, run by a Lua
 * interpreter (LuaJ) the way Argo CD runs it: the object in the global {@code obj}, a table with
 * status and message returned.
 */
class ArgoHealthCheckTest {
  private static final Path SCRIPT = Path.of("manifests/gitops/argocd/homecluster-health.lua");

  /** Reads samples strictly into the API classes, so a sample cannot use a field that does not exist. */
  private static final ObjectMapper STRICT =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  record Health(String status, String message) {}

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "ready,                    Healthy,     All components ready",
    "progressing,              Progressing, StorageReady: CephCluster rook-ceph: 1 of 3 OSDs up",
    "degraded,                 Degraded,    ControlPlaneReady: etcd on master-2: 0 of 1 pods ready",
    "invalid,                  Degraded,    Invalid spec: spec.controlPlane.endpoint.vip: 192.168.1.111 is the address of node master-1",
    "generation-not-observed,  Progressing, Waiting for the operator to observe generation 5",
    "ready-condition-behind,   Progressing, 'Ready describes generation 5, not 6'",
    "just-created,             Progressing, Waiting for the operator to report a status",
  })
  void judgesStatusSamples(String sample, String status, String message) throws IOException {
    Health health = check(sample(sample));

    assertThat(health).isEqualTo(new Health(status, message));
  }

  @Test
  void argoConfigMapPatchCarriesTheScriptVerbatim() throws IOException {
    Path repo = Examples.repoRoot();
    ConfigMap patch =
        Serialization.unmarshal(
            Files.readString(repo.resolve("manifests/gitops/argocd/argocd-cm-patch.yaml")), ConfigMap.class);

    assertThat(patch.getData().get("resource.customizations.health.homecluster.dev_HomeCluster"))
        .isEqualTo(Files.readString(repo.resolve(SCRIPT)));
  }

  /** A sample status, checked against the API classes, as the plain map Argo CD hands to Lua. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> sample(String name) throws IOException {
    try (InputStream in = ArgoHealthCheckTest.class.getResourceAsStream("/argocd-health/" + name + ".yaml")) {
      HomeCluster cluster = STRICT.readValue(in, HomeCluster.class);
      return STRICT.convertValue(cluster, Map.class);
    }
  }

  private static Health check(Map<String, Object> object) throws IOException {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(object));
    LuaValue result = globals.load(Files.readString(Examples.repoRoot().resolve(SCRIPT)), "homecluster-health.lua").call();
    return new Health(result.get("status").tojstring(), result.get("message").tojstring());
  }

  private static LuaValue toLua(Object value) {
    if (value == null) {
      return LuaValue.NIL;
    }
    if (value instanceof Map<?, ?> map) {
      LuaTable table = new LuaTable();
      map.forEach((k, v) -> table.set(k.toString(), toLua(v)));
      return table;
    }
    if (value instanceof List<?> list) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < list.size(); i++) {
        table.set(i + 1, toLua(list.get(i)));
      }
      return table;
    }
    if (value instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    if (value instanceof Integer || value instanceof Long) {
      return LuaValue.valueOf(((Number) value).intValue());
    }
    if (value instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    return LuaValue.valueOf(value.toString());
  }
}
