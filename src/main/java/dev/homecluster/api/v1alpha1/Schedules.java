package dev.homecluster.api.v1alpha1;

/** The schema's pattern for cron schedules; the Java validator checks each field further. */
final class Schedules {
  static final String CRON_PATTERN =
      "^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|\\S+(\\s+\\S+){4})$";

  private Schedules() {}
}
