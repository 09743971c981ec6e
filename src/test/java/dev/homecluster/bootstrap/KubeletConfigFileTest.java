package dev.homecluster.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.testing.Examples;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeletConfigFileTest {
  /** Kubelets ask for serving certificates the cluster CA signs, which the operator approves. */
  @Test
  @SuppressWarnings("unchecked")
  void kubeletsRequestTheirServingCertificatesByCsr() {
    Map<String, Object> config =
        new org.yaml.snakeyaml.Yaml().load(KubeletConfigFile.yaml(Examples.load(Examples.HOME).getSpec()));

    assertThat(config).containsEntry("serverTLSBootstrap", true).containsEntry("rotateCertificates", true);
    assertThat((Map<String, Object>) config.get("authentication")).containsKey("x509");
  }
}
