package dev.homecluster.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.operator.Conditions.Decision;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private static final Instant T0 = Instant.parse("2026-11-30T09:00:00.250Z");
  private static final Instant T1 = Instant.parse("2026-11-30T10:00:00Z");

  @Test
  void keepsTransitionTimeWhileStatusHolds() {
    List<Condition> first =
        Conditions.merge(List.of(), List.of(Decision.isFalse("Ready", "NotReady", "1/3")), 1, T0);
    List<Condition> second =
        Conditions.merge(first, List.of(Decision.isFalse("Ready", "NotReady", "2/3")), 2, T1);

    Condition ready = Conditions.find(second, "Ready");
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-11-30T09:00:00Z");
    assertThat(ready.getMessage()).isEqualTo("2/3");
    assertThat(ready.getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void movesTransitionTimeWhenStatusFlips() {
    List<Condition> first =
        Conditions.merge(List.of(), List.of(Decision.isFalse("Ready", "NotReady", "1/3")), 1, T0);
    List<Condition> second =
        Conditions.merge(first, List.of(Decision.isTrue("Ready", "Ready", "3/3")), 1, T1);

    assertThat(Conditions.find(second, "Ready").getLastTransitionTime())
        .isEqualTo("2026-11-30T10:00:00Z");
    assertThat(Conditions.isTrue(second, "Ready")).isTrue();
  }

  @Test
  void keepsConditionsWithoutDecisionAndOrdersByFixedTypes() {
    List<Condition> first =
        Conditions.merge(
            List.of(),
            List.of(
                Decision.isTrue("StorageReady", "Ready", ""),
                Decision.isTrue("Valid", "Valid", ""),
                Decision.isTrue("Ready", "Ready", "")),
            1,
            T0);
    List<Condition> second =
        Conditions.merge(first, List.of(Decision.isFalse("Valid", "InvalidSpec", "x")), 2, T1);

    assertThat(second).extracting(Condition::getType).containsExactly("Ready", "Valid", "StorageReady");
    assertThat(Conditions.find(second, "StorageReady").getLastTransitionTime())
        .isEqualTo("2026-11-30T09:00:00Z");
  }
}
