package dev.homecluster.adversarial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates hostile HomeClusters by mutating a valid one at the JSON level: random field values of
 * the wrong type, unicode and control characters, huge lists, duplicated nodes, overlapping
 * networks, removed fields. Seeded, so a failure names the seed that reproduces it.
 */
final class SpecMutator {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String[] STRINGS = {
    "", " ", "..", "../../etc", "/", "-", "master-1", "192.168.1.111", "10.0.0.0/8", "::1",
    "fe80::1%eth0", "256.1.1.1", "ÄÖÜ-ノード", "\u0000", "\u202e", "a".repeat(300), "@daily",
    "*/0 * * * *", "0 0 31 2 *", "yes-really-destroy-data", "sdb", "/dev/disk/by-id/x", "true",
    "1e9", "-1", "null", "${HOME}", "$(reboot)", "`id`", "eth0; rm -rf /", "192.168.1.0/24",
    "10.244.0.0/16", "10.96.0.0/12", "0.0.0.0/0", "::/0"
  };

  private final Random random;
  private final ObjectMapper mapper;

  SpecMutator(long seed, ObjectMapper mapper) {
    this.random = new Random(seed);
    this.mapper = mapper;
  }

  /** A mutated deep copy of the tree; 1 to 4 mutations. */
  JsonNode mutate(JsonNode original) {
    JsonNode tree = original.deepCopy();
    int mutations = 1 + random.nextInt(4);
    for (int i = 0; i < mutations; i++) {
      List<JsonNode> containers = new ArrayList<>();
      collect(tree.path("spec"), containers);
      if (containers.isEmpty()) {
        break;
      }
      JsonNode target = containers.get(random.nextInt(containers.size()));
      if (target instanceof ObjectNode object) {
        mutateObject(object);
      } else if (target instanceof ArrayNode array) {
        mutateArray(array);
      }
    }
    return tree;
  }

  private void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.elements().forEachRemaining(child -> collect(child, out));
    }
  }

  private void mutateObject(ObjectNode object) {
    List<String> fields = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = object.fields();
    it.forEachRemaining(e -> fields.add(e.getKey()));
    if (fields.isEmpty()) {
      object.set("unexpected", randomValue());
      return;
    }
    String field = fields.get(random.nextInt(fields.size()));
    switch (random.nextInt(5)) {
      case 0 -> object.remove(field);
      case 1 -> object.putNull(field);
      default -> object.set(field, randomValue());
    }
  }

  private void mutateArray(ArrayNode array) {
    switch (random.nextInt(4)) {
      case 0 -> {
        if (!array.isEmpty()) {
          // Duplicate an element: duplicate node names, addresses, roles, devices.
          array.add(array.get(random.nextInt(array.size())).deepCopy());
        }
      }
      case 1 -> {
        // A huge list.
        JsonNode template = array.isEmpty() ? F.textNode("x") : array.get(0);
        int n = 200 + random.nextInt(2000);
        for (int i = 0; i < n; i++) {
          JsonNode copy = template.deepCopy();
          if (copy instanceof ObjectNode o && o.has("name")) {
            o.put("name", "n" + i);
            o.put("address", "10." + (i / 65536 % 256) + "." + (i / 256 % 256) + "." + (i % 256));
          }
          array.add(copy);
        }
      }
      case 2 -> array.removeAll();
      default -> array.add(randomValue());
    }
  }

  private JsonNode randomValue() {
    return switch (random.nextInt(7)) {
      case 0 -> F.textNode(STRINGS[random.nextInt(STRINGS.length)]);
      case 1 -> F.numberNode(random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(70000) - 1000);
      case 2 -> F.booleanNode(random.nextBoolean());
      case 3 -> F.arrayNode().add(F.textNode(STRINGS[random.nextInt(STRINGS.length)]));
      case 4 -> F.objectNode().put("x", STRINGS[random.nextInt(STRINGS.length)]);
      case 5 -> F.textNode(randomUnicode());
      default -> F.nullNode();
    };
  }

  private String randomUnicode() {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(40);
    for (int i = 0; i < length; i++) {
      out.appendCodePoint(random.nextInt(0x2FFFF));
    }
    return out.toString();
  }

  String toYaml(JsonNode tree) throws Exception {
    return mapper.writeValueAsString(tree);
  }
}
