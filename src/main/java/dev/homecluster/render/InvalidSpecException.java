package dev.homecluster.render;

import dev.homecluster.validation.Problem;
import java.util.List;
import java.util.stream.Collectors;

/** The spec has errors; nothing was rendered. */
public class InvalidSpecException extends RuntimeException {
  private final transient List<Problem> errors;

  public InvalidSpecException(List<Problem> errors) {
    super(errors.stream().map(Problem::toString).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public List<Problem> errors() {
    return errors;
  }
}
