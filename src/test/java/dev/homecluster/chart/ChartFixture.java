package dev.homecluster.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The operator's Helm chart in operator/, templated in-process by helm-java. */
final class ChartFixture {
  /** Where the chart is installed in docs and tests. */
  static final String NAMESPACE = "homecluster-system";

  static final String RELEASE = "homecluster-operator";

  /** The Kubernetes version templates are rendered for: the simulated cluster's. */
  static final String KUBE_VERSION = "v1.34.4";

  /** The values files of operator/ci/, one per way the chart is used. */
  static final List<String> VALUES_FILES =
      List.of("single-replica-values.yaml", "monitoring-values.yaml", "custom-image-values.yaml");

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private ChartFixture() {}

  static Path dir() {
    return Examples.repoRoot().resolve("operator");
  }

  static Path valuesFile(String name) {
    return dir().resolve("ci").resolve(name);
  }

  /** The objects `helm template` renders with the default values plus the given values files. */
  static List<HasMetadata> template(String... valuesFiles) {
    return template(Map.of(), valuesFiles);
  }

  /** Same, with --set values on top. */
  static List<HasMetadata> template(Map<String, Object> set, String... valuesFiles) {
    TemplateCommand template = new Helm(dir()).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
    for (String file : valuesFiles) {
      template = template.withValuesFile(valuesFile(file));
    }
    for (Map.Entry<String, Object> value : set.entrySet()) {
      template = template.set(value.getKey(), value.getValue());
    }
    return parse(template.call());
  }

  static List<HasMetadata> parse(String multiDocumentYaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(multiDocumentYaml)) {
      if (document.lines().allMatch(line -> line.isBlank() || line.trim().startsWith("#"))) {
        continue;
      }
      objects.add(Serialization.unmarshal(document, HasMetadata.class));
    }
    return objects;
  }

  /** The one object of a type (and kind, for generic resources) named so; fails when absent. */
  static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String kind, String name) {
    return objects.stream()
        .filter(type::isInstance)
        .filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
        .map(type::cast)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no " + kind + "/" + name + " in " + objects.stream().map(ChartFixture::describe).toList()));
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static String describe(HasMetadata o) {
    String namespace = o.getMetadata().getNamespace();
    return o.getKind() + "/" + (namespace == null ? "" : namespace + "/") + o.getMetadata().getName();
  }
}
