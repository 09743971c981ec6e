package dev.homecluster.validation;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import java.util.Map;
import java.util.Optional;

/** Cron schedules as Kubernetes CronJobs accept them: five fields, or a macro such as @daily. */
public final class CronSchedules {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");

  private CronSchedules() {}

  /** The parsed schedule, or empty when Kubernetes would reject it. */
  public static Optional<Cron> parse(String schedule) {
    if (schedule == null || schedule.isBlank()) {
      return Optional.empty();
    }
    String expression = MACROS.getOrDefault(schedule.strip(), schedule.strip());
    if (expression.split("\\s+").length != 5) {
      return Optional.empty();
    }
    try {
      return Optional.of(PARSER.parse(expression).validate());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
