package dev.homecluster.validation;

import java.util.List;

/** All problems found, errors first, each list in the order the fields appear in the spec. */
public record ValidationResult(List<Problem> problems) {
  public ValidationResult {
    problems = List.copyOf(problems);
  }

  public List<Problem> errors() {
    return problems.stream().filter(Problem::isError).toList();
  }

  public List<Problem> warnings() {
    return problems.stream().filter(p -> !p.isError()).toList();
  }

  public boolean isValid() {
    return errors().isEmpty();
  }
}
