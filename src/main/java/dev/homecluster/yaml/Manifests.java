package dev.homecluster.yaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.homecluster.api.v1alpha1.HomeCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** Reads HomeClusters from YAML and writes objects as multi-document YAML, deterministically. */
public final class Manifests {
  private static final ObjectMapper READER =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

  private static final ObjectMapper WRITER =
      new ObjectMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .build())
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private Manifests() {}

  /** Parses one HomeCluster; every failure names the field and line. */
  public static HomeCluster readHomeCluster(String yaml) throws SpecParseException {
    if (yaml == null || yaml.isBlank()) {
      throw new SpecParseException("the file is empty; expected a HomeCluster", true);
    }
    try {
      var tree = READER.readTree(yaml);
      if (tree == null || !tree.isObject()) {
        throw new SpecParseException("expected a YAML mapping with apiVersion, kind and spec", true);
      }
      String apiVersion = tree.path("apiVersion").asText("");
      String kind = tree.path("kind").asText("");
      if (!HomeCluster.API_VERSION.equals(apiVersion) || !"HomeCluster".equals(kind)) {
        throw new SpecParseException(
            "expected apiVersion "
                + HomeCluster.API_VERSION
                + " and kind HomeCluster, got apiVersion \""
                + apiVersion
                + "\" and kind \""
                + kind
                + "\"",
            false);
      }
      return READER.treeToValue(tree, HomeCluster.class);
    } catch (UnrecognizedPropertyException e) {
      throw new SpecParseException(path(e) + ": unknown field" + line(e), false, e);
    } catch (JsonMappingException e) {
      throw new SpecParseException(path(e) + ": " + describe(e), false, e);
    } catch (JsonProcessingException e) {
      throw new SpecParseException("not valid YAML: " + firstLine(e.getOriginalMessage()) + line(e), true, e);
    } catch (RuntimeException e) {
      // SnakeYAML throws unchecked exceptions on some malformed input (odd code points).
      throw new SpecParseException("not valid YAML: " + firstLine(e.getMessage()), true, e);
    }
  }

  /** Multi-document YAML, one document per object, separated by {@code ---}. */
  public static String toYaml(List<? extends HasMetadata> objects) {
    StringBuilder out = new StringBuilder();
    for (HasMetadata object : objects) {
      out.append("---\n").append(toYaml(object));
    }
    return out.toString();
  }

  /** One object as YAML, map keys sorted. */
  public static String toYaml(Object object) {
    try {
      return WRITER.writeValueAsString(object);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + object.getClass().getSimpleName(), e);
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "(document)" : path.toString();
  }

  private static String describe(JsonMappingException e) {
    if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatch
        && mismatch.getTargetType() != null) {
      return "expected " + typeName(mismatch.getTargetType());
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException format) {
      return "invalid value \"" + format.getValue() + "\"";
    }
    return firstLine(e.getOriginalMessage());
  }

  private static String typeName(Class<?> type) {
    if (type.isEnum()) {
      StringBuilder values = new StringBuilder();
      for (Object constant : type.getEnumConstants()) {
        values.append(values.length() == 0 ? "" : ", ").append(constant.toString().toLowerCase(java.util.Locale.ROOT));
      }
      return "one of " + values;
    }
    if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "an object (" + type.getSimpleName() + ")";
  }

  private static String line(JsonProcessingException e) {
    return e.getLocation() == null || e.getLocation().getLineNr() < 1
        ? ""
        : " (line " + e.getLocation().getLineNr() + ")";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "invalid value";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
