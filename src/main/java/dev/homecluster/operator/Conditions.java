package dev.homecluster.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Sets conditions the Kubernetes way: {@code lastTransitionTime} moves only when the status
 * flips, so a watcher can tell how long a condition has held.
 */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  /** A condition as decided this reconcile, before its transition time is known. */
  public record Decision(String type, String status, String reason, String message) {
    public Decision {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(reason, "reason");
      message = message == null ? "" : message;
    }

    public static Decision isTrue(String type, String reason, String message) {
      return new Decision(type, TRUE, reason, message);
    }

    public static Decision isFalse(String type, String reason, String message) {
      return new Decision(type, FALSE, reason, message);
    }

    public boolean holds() {
      return TRUE.equals(status);
    }
  }

  /**
   * The conditions after applying the decisions to the previous ones: a decision whose status
   * equals the previous one keeps its lastTransitionTime; types without a decision are kept as
   * they were. Ordered as {@link ConditionTypes#ALL}, unknown types last.
   */
  public static List<Condition> merge(
      List<Condition> previous, List<Decision> decisions, long generation, Instant now) {
    List<Condition> result = new ArrayList<>();
    List<Condition> before = previous == null ? List.of() : previous;
    for (Condition old : before) {
      if (decisions.stream().noneMatch(d -> d.type().equals(old.getType()))) {
        result.add(old);
      }
    }
    for (Decision decision : decisions) {
      Condition old = find(before, decision.type());
      String transition =
          old != null && decision.status().equals(old.getStatus()) && old.getLastTransitionTime() != null
              ? old.getLastTransitionTime()
              : timestamp(now);
      result.add(
          new ConditionBuilder()
              .withType(decision.type())
              .withStatus(decision.status())
              .withReason(decision.reason())
              .withMessage(decision.message())
              .withObservedGeneration(generation)
              .withLastTransitionTime(transition)
              .build());
    }
    result.sort(Comparator.comparingInt(c -> order(c.getType())));
    return result;
  }

  /** The condition of a type, or null. */
  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /** Whether the condition of a type is present and True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && TRUE.equals(c.getStatus());
  }

  /** RFC 3339 with seconds, as the API server writes it. */
  public static String timestamp(Instant now) {
    return DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
  }

  private static int order(String type) {
    int i = ConditionTypes.ALL.indexOf(type);
    return i < 0 ? ConditionTypes.ALL.size() : i;
  }
}
