package dev.homecluster.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rook's published CRDs (../shared/reference/rook/crds.yaml from the repository root), and their
 * openAPIV3Schema turned into JSON Schema (draft 4) so rendered objects can be checked without a
 * cluster. Kubernetes' structural-schema extensions are mapped to what the API server does:
 *
 * <ul>
 *   <li>{@code x-kubernetes-int-or-string}: an integer or a string;
 *   <li>{@code nullable}: null is allowed too;
 *   <li>objects with declared properties reject unknown fields, as the API server does with strict
 *       field validation (kubectl's default), unless {@code x-kubernetes-preserve-unknown-fields};
 *   <li>{@code x-kubernetes-validations} (CEL) and {@code format} are not evaluated here; the
 *       integration test on a real API server covers them.
 * </ul>
 */
public final class RookCrds {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static Map<String, JsonNode> crds;
  private static final Map<String, JsonSchema> SCHEMAS = new HashMap<>();

  private RookCrds() {}

  private static final String RELATIVE = "shared/reference/rook/crds.yaml";

  /** Points at a shared/ folder that is not beside the repository (as the simulated cluster's). */
  public static final String SHARED_DIR_ENV = "HOMECLUSTER_SHARED_DIR";

  /**
   * The CRD file: under {@code $HOMECLUSTER_SHARED_DIR} when set, else {@code
   * ../shared/reference/rook/crds.yaml} beside the repository, or beside a directory further up (a
   * git worktree lives one level deeper than the clone it belongs to).
   */
  public static Optional<Path> file() {
    String shared = System.getenv(SHARED_DIR_ENV);
    if (shared != null && !shared.isBlank()) {
      Path file = Path.of(shared).resolve(RELATIVE.substring("shared/".length()));
      return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }
    for (Path dir = Examples.repoRoot().getParent(); dir != null; dir = dir.getParent()) {
      Path file = dir.resolve(RELATIVE);
      if (Files.isRegularFile(file)) {
        return Optional.of(file);
      }
    }
    return Optional.empty();
  }

  /** Why tests that need the file are skipped. */
  public static String missingMessage() {
    return "Rook's CRDs are not at "
        + Examples.repoRoot().getParent().resolve(RELATIVE)
        + " (nor beside any parent directory); skipping the check against Rook's schema";
  }

  /** Every CRD document in the file, by metadata.name. */
  public static synchronized Map<String, JsonNode> all() {
    if (crds == null) {
      Map<String, JsonNode> out = new HashMap<>();
      try (YAMLParser parser = new YAMLFactory().createParser(file().orElseThrow().toFile())) {
        Iterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class);
        while (docs.hasNext()) {
          JsonNode doc = docs.next();
          if (doc != null && "CustomResourceDefinition".equals(doc.path("kind").asText())) {
            out.put(doc.path("metadata").path("name").asText(), doc);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      crds = out;
    }
    return crds;
  }

  /** The CRD's schema of its (single) served version, as JSON Schema. */
  public static synchronized JsonSchema schema(String crdName) {
    return SCHEMAS.computeIfAbsent(crdName, RookCrds::compile);
  }

  private static JsonSchema compile(String crdName) {
    JsonNode crd = all().get(crdName);
    if (crd == null) {
      throw new IllegalArgumentException("no CRD " + crdName + " in " + file().orElseThrow());
    }
    JsonNode openApi =
        crd.path("spec").path("versions").path(0).path("schema").path("openAPIV3Schema");
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
        .getSchema(toJsonSchema(openApi));
  }

  /**
   * Problems of an object against a CRD's schema, as {@code $.spec.mon.count: ...}; empty when
   * valid.
   */
  public static List<String> validate(String crdName, Object object) {
    JsonNode node = JSON.valueToTree(object);
    List<String> problems = new ArrayList<>();
    for (ValidationMessage message : schema(crdName).validate(node)) {
      problems.add(message.getMessage());
    }
    problems.sort(null);
    return problems;
  }

  /** The structural OpenAPI v3 schema as JSON Schema draft 4 (see the class comment). */
  static JsonNode toJsonSchema(JsonNode openApi) {
    if (!openApi.isObject()) {
      return openApi;
    }
    ObjectNode out = NODES.objectNode();
    openApi
        .fields()
        .forEachRemaining(
            field -> {
              String key = field.getKey();
              JsonNode value = field.getValue();
              switch (key) {
                case "properties" -> {
                  ObjectNode properties = NODES.objectNode();
                  value
                      .fields()
                      .forEachRemaining(
                          p -> properties.set(p.getKey(), toJsonSchema(p.getValue())));
                  out.set(key, properties);
                }
                case "items", "not" -> out.set(key, toJsonSchema(value));
                case "additionalProperties" ->
                    out.set(key, value.isObject() ? toJsonSchema(value) : value);
                case "anyOf", "allOf", "oneOf" -> {
                  ArrayNode list = NODES.arrayNode();
                  value.forEach(v -> list.add(toJsonSchema(v)));
                  out.set(key, list);
                }
                case "nullable", "format" -> {}
                default -> {
                  if (!key.startsWith("x-kubernetes-")) {
                    out.set(key, value);
                  }
                }
              }
            });
    if (openApi.path("x-kubernetes-int-or-string").asBoolean(false)) {
      out.remove("type");
      if (!out.has("anyOf")) {
        out.set(
            "anyOf",
            NODES
                .arrayNode()
                .add(NODES.objectNode().put("type", "integer"))
                .add(NODES.objectNode().put("type", "string")));
      }
    }
    if (openApi.path("x-kubernetes-embedded-resource").asBoolean(false) && out.has("properties")) {
      ObjectNode properties = (ObjectNode) out.get("properties");
      properties.putIfAbsent("apiVersion", NODES.objectNode().put("type", "string"));
      properties.putIfAbsent("kind", NODES.objectNode().put("type", "string"));
      properties.putIfAbsent("metadata", NODES.objectNode().put("type", "object"));
    }
    boolean preserve = openApi.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (out.has("properties") && !out.has("additionalProperties") && !preserve) {
      out.put("additionalProperties", false);
    }
    if (openApi.path("nullable").asBoolean(false)) {
      if (out.has("type")) {
        out.set("type", NODES.arrayNode().add(out.get("type").asText()).add("null"));
      }
      if (out.has("enum")) {
        ((ArrayNode) out.get("enum")).addNull();
      }
    }
    return out;
  }
}
