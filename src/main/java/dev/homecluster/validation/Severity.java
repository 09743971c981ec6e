package dev.homecluster.validation;

/** How bad a problem is. */
public enum Severity {
  /** The spec cannot be applied; nothing is rendered or changed. */
  ERROR,
  /** The spec is applied, and the warning is shown in status and by {@code validate}. */
  WARNING
}
