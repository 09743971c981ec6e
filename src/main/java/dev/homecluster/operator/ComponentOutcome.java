package dev.homecluster.operator;

import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one rendered component this reconcile.
 *
 * @param component the component's name
 * @param condition the condition it reports in, if any ({@link ConditionTypes#forComponent})
 * @param result applied, skipped or failed
 * @param reason a CamelCase reason when skipped or failed (RookNotInstalled, ApplyFailed)
 * @param message what the user should know or do
 */
public record ComponentOutcome(
    String component, Optional<String> condition, Result result, String reason, String message) {

  public enum Result {
    APPLIED,
    SKIPPED,
    FAILED
  }

  public ComponentOutcome {
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(result, "result");
    reason = reason == null ? "" : reason;
    message = message == null ? "" : message;
  }

  public static ComponentOutcome applied(String component, Optional<String> condition) {
    return new ComponentOutcome(component, condition, Result.APPLIED, "", "");
  }
}
