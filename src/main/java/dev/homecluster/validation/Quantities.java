package dev.homecluster.validation;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/** Resource quantities in the spec: parseable, not negative, requests within limits. */
final class Quantities {
  private Quantities() {}

  /** The parsed amount, or null when the quantity is not one Kubernetes accepts. */
  static BigDecimal amount(Quantity quantity) {
    if (quantity == null || quantity.getAmount() == null || quantity.getAmount().isEmpty()) {
      return null;
    }
    try {
      // Kubernetes' own grammar: fabric8 parses more leniently than the API server.
      if (!quantity
          .toString()
          .matches("^[+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+|[numkMGTPE]|[KMGTPE]i)?$")) {
        return null;
      }
      return quantity.getNumericalAmount();
    } catch (IllegalArgumentException | ArithmeticException e) {
      return null;
    }
  }

  static Quantity get(Map<String, Quantity> values, String name) {
    return values == null ? null : values.get(name);
  }

  /** Reports unparseable quantities and requests above limits; true when all is well. */
  static boolean checkRequirements(
      String path, ResourceRequirements requirements, Problems problems) {
    if (requirements == null) {
      return true;
    }
    boolean ok = checkAll(path + ".requests", requirements.getRequests(), problems);
    ok &= checkAll(path + ".limits", requirements.getLimits(), problems);
    if (!ok || requirements.getRequests() == null || requirements.getLimits() == null) {
      return ok;
    }
    for (var entry : new TreeMap<>(requirements.getRequests()).entrySet()) {
      Quantity limit = requirements.getLimits().get(entry.getKey());
      if (limit != null && amount(entry.getValue()).compareTo(amount(limit)) > 0) {
        problems.error(
            field(path + ".requests", entry.getKey()),
            "request " + entry.getValue() + " is above the limit " + limit);
        ok = false;
      }
    }
    return ok;
  }

  /** Reports one quantity that must parse; true when it does (or is absent). */
  static boolean check(String path, Quantity quantity, Problems problems) {
    if (quantity == null) {
      return true;
    }
    BigDecimal value = amount(quantity);
    if (value == null) {
      problems.error(
          path,
          "must be a Kubernetes quantity such as 500m, 2 or 4Gi, got \""
              + Text.shorten(String.valueOf(quantity))
              + "\"");
      return false;
    }
    if (value.signum() < 0) {
      problems.error(path, "must not be negative, got " + quantity);
      return false;
    }
    return true;
  }

  /**
   * {@code path.name} for names like cpu or memory; names that a field path cannot carry (such as
   * ephemeral-storage) are reported at the map, with the name in the message.
   */
  private static String field(String path, String name) {
    return name != null && name.matches("[A-Za-z][A-Za-z0-9]*") ? path + "." + name : path;
  }

  private static boolean checkAll(String path, Map<String, Quantity> values, Problems problems) {
    if (values == null) {
      return true;
    }
    boolean ok = true;
    for (var entry : new TreeMap<>(values).entrySet()) {
      if (entry.getValue() == null) {
        problems.error(
            field(path, entry.getKey()),
            "must be a Kubernetes quantity such as 500m, 2 or 4Gi, got null");
        ok = false;
        continue;
      }
      ok &= check(field(path, entry.getKey()), entry.getValue(), problems);
    }
    return ok;
  }
}
