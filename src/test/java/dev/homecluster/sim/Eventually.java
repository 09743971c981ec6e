package dev.homecluster.sim;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a value until it satisfies a condition; fails with what was last seen. */
public final class Eventually {
  private Eventually() {}

  public static <T> T await(
      String what, Duration timeout, Supplier<T> value, Predicate<? super T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = value.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            what + " did not happen within " + timeout + "; last seen: " + last);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting until " + what, e);
      }
      last = value.get();
    }
    return last;
  }
}
