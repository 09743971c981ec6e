package dev.homecluster.validation;

import java.util.ArrayList;
import java.util.List;

/** Collects problems while rules run. */
public final class Problems {
  private final List<Problem> problems = new ArrayList<>();

  public void error(String path, String message) {
    problems.add(Problem.error(path, message));
  }

  public void warning(String path, String message) {
    problems.add(Problem.warning(path, message));
  }

  public boolean hasErrorAt(String pathPrefix) {
    return problems.stream().anyMatch(p -> p.isError() && p.path().startsWith(pathPrefix));
  }

  public ValidationResult result() {
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort((a, b) -> Boolean.compare(!a.isError(), !b.isError()));
    return new ValidationResult(sorted);
  }
}
