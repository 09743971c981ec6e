package dev.homecluster.chart;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every request of a client that the API server refused with 403 Forbidden, as {@code
 * METHOD path?query}: HTTP requests and watch (WebSocket) upgrades alike. Put on the operator's
 * client, it shows each permission the chart's RBAC lacks, even one whose failure the operator
 * would retry or report only in a condition.
 */
final class RefusedRequests implements Interceptor {
  private final List<String> refused = new CopyOnWriteArrayList<>();

  @Override
  public CompletableFuture<Boolean> afterFailure(
      BasicBuilder builder, HttpResponse<?> response, RequestTags tags) {
    record(response);
    return CompletableFuture.completedFuture(false);
  }

  @Override
  public CompletableFuture<Boolean> afterFailure(
      HttpRequest.Builder builder, HttpResponse<?> response, RequestTags tags) {
    record(response);
    return CompletableFuture.completedFuture(false);
  }

  private void record(HttpResponse<?> response) {
    if (response.code() == 403) {
      HttpRequest request = response.request();
      String query = request.uri().getRawQuery();
      refused.add(request.method() + " " + request.uri().getRawPath() + (query == null ? "" : "?" + query));
    }
  }

  List<String> refused() {
    return List.copyOf(refused);
  }
}
