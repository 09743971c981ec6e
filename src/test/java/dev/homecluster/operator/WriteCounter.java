package dev.homecluster.operator;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Records every request but GETs (lists and watches included) that a client sends: POST, PUT,
 * PATCH and DELETE, as {@code METHOD path}.
 */
final class WriteCounter implements Interceptor {
  private final List<String> writes = new CopyOnWriteArrayList<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (!"GET".equals(request.method())) {
      writes.add(request.method() + " " + request.uri().getPath());
    }
  }

  void reset() {
    writes.clear();
  }

  List<String> writes() {
    return List.copyOf(writes);
  }

  /** Writes other than the HomeCluster's status and Events: changes to what the operator manages. */
  List<String> objectWrites() {
    Predicate<String> bookkeeping = w -> w.endsWith("/status") || w.contains("/events");
    return writes.stream().filter(bookkeeping.negate()).toList();
  }
}
