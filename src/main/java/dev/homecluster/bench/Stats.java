package dev.homecluster.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Medians and friends over measured samples. */
public final class Stats {
  private Stats() {}

  public static double median(List<Double> samples) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  public static double max(List<Double> samples) {
    return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  public static double min(List<Double> samples) {
    return samples.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  public static double seconds(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e9;
  }

  public static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
