package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultingMatcherTest {

  @Test
  void fieldRefGetsTheApiVersionTheServerWouldStore() {
    var ds =
        new DaemonSetBuilder()
            .withNewSpec().withNewTemplate().withNewSpec()
            .addNewContainer().withName("etcd")
            .addNewEnv().withName("NODE_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName").endFieldRef().endValueFrom().endEnv()
            .addNewEnv().withName("HOST_IP").withNewValueFrom().withNewFieldRef().withApiVersion("v1").withFieldPath("status.hostIP").endFieldRef().endValueFrom().endEnv()
            .endContainer()
            .endSpec().endTemplate().endSpec()
            .build();
    @SuppressWarnings("unchecked")
    Map<String, Object> map = new KubernetesSerialization().convertValue(ds, Map.class);

    DefaultingMatcher.fillDefaults(map);

    String json = new KubernetesSerialization().asJson(map);
    assertThat(json).contains("\"fieldRef\":{\"fieldPath\":\"spec.nodeName\",\"apiVersion\":\"v1\"}")
        .contains("\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":\"status.hostIP\"}");
  }

  @Test
  void anEmptyStringEqualsTheAbsentFieldTheServerStores() {
    Map<String, Object> desired = new java.util.HashMap<>(Map.of("storageClassName", "", "volumeName", "nfs"));
    Map<String, Object> actual = new java.util.HashMap<>();
    actual.put("storageClassName", null);
    actual.put("volumeName", "nfs");

    DefaultingMatcher.dropEmpty(desired);
    DefaultingMatcher.dropEmpty(actual);

    assertThat(actual).isEqualTo(desired).containsOnlyKeys("volumeName");
  }
}
