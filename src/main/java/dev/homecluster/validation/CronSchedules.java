package dev.homecluster.validation;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
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

  /**
   * A fixed start for {@link #everFires}: validation has no clock. Four years from any start cover
   * a leap day, so a schedule that does not fire in them never does.
   */
  private static final ZonedDateTime REFERENCE = ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private static final Duration LEAP_CYCLE = Duration.ofDays(4 * 366);

  private CronSchedules() {}

  /**
   * False for a schedule that parses but names no day that exists, such as {@code 0 3 30 2 *}
   * (February 30th) or {@code 0 0 31 4 *}: Kubernetes accepts it and the CronJob never runs, so
   * the backups it should make silently never happen.
   */
  public static boolean everFires(Cron cron) {
    Optional<ZonedDateTime> next = ExecutionTime.forCron(cron).nextExecution(REFERENCE);
    return next.isPresent() && next.get().isBefore(REFERENCE.plus(LEAP_CYCLE));
  }

  /** The parsed schedule, or empty when Kubernetes would reject it. */
  public static Optional<Cron> parse(String schedule) {
    if (schedule == null || schedule.isBlank() || !schedule.equals(schedule.strip())) {
      // The CRD's pattern refuses surrounding whitespace; so does the CLI.
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
