package dev.homecluster.render.controlplane;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.homecluster.pki.CertificateAuthority;
import dev.homecluster.pki.CertificateProfile;
import dev.homecluster.pki.IssuedCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The few requests of the Kubernetes API that the pod checkpointer makes, served over HTTPS on
 * 127.0.0.1 with a certificate from a fresh CA, so the real kubectl can be pointed at it, and the
 * Leases of kube-system that the etcd installer takes (create, get, update by resourceVersion). Answers
 * discovery of the core group and a GET of an exact path (query ignored) with the JSON registered
 * for it, only to a request carrying {@code Authorization: Bearer <token>}; 401 otherwise, 404
 * for an unknown path.
 */
final class FakeApiServer implements AutoCloseable {
  private final HttpsServer server;
  private final CertificateAuthority ca;
  private final String token;
  private final Map<String, String> responses = new ConcurrentHashMap<>();
  /** Leases by name, as JSON with metadata.resourceVersion, under {@link #LEASES}. */
  private final Map<String, String> leases = new ConcurrentHashMap<>();
  private long resourceVersion = 100;
  private static final String LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";
  /** Every request as {@code METHOD path?query}, in order, authorised or not. */
  final List<String> requests = new CopyOnWriteArrayList<>();
  /** How many requests came without the token. */
  volatile int unauthorized;

  FakeApiServer(String token) throws Exception {
    this.token = token;
    SecureRandom random = new SecureRandom();
    Instant now = Instant.now();
    ca = CertificateAuthority.create("fake-api-ca", now, Duration.ofDays(1), random);
    IssuedCertificate serving =
        ca.issue(
            new CertificateProfile("fake-api", List.of(), List.of(), List.of("127.0.0.1"), true, false),
            now,
            Duration.ofDays(1),
            random);
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    char[] password = "test".toCharArray();
    keyStore.setKeyEntry(
        "serving", serving.privateKey(), password, new Certificate[] {serving.certificate(), ca.certificate()});
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keyStore, password);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), null, random);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    // Discovery, which kubectl reads before it resolves "pods" or "secret" to a path.
    answer("/version", "{\"major\":\"1\",\"minor\":\"34\",\"gitVersion\":\"v1.34.2\"}");
    answer("/api", "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}");
    answer(
        "/apis",
        "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{\"name\":\"coordination.k8s.io\","
            + "\"versions\":[{\"groupVersion\":\"coordination.k8s.io/v1\",\"version\":\"v1\"}],"
            + "\"preferredVersion\":{\"groupVersion\":\"coordination.k8s.io/v1\",\"version\":\"v1\"}}]}");
    answer(
        "/apis/coordination.k8s.io/v1",
        "{\"kind\":\"APIResourceList\",\"groupVersion\":\"coordination.k8s.io/v1\",\"resources\":["
            + "{\"name\":\"leases\",\"singularName\":\"lease\",\"namespaced\":true,\"kind\":\"Lease\","
            + "\"verbs\":[\"create\",\"get\",\"update\"]}]}");
    answer(
        "/api/v1",
        "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
            + resource("pods", "Pod")
            + ","
            + resource("secrets", "Secret")
            + ","
            + resource("configmaps", "ConfigMap")
            + "]}");
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String caPem() {
    return ca.certificatePem();
  }

  /** Serves {@code json} for GET {@code path}. */
  void answer(String path, String json) {
    responses.put(path, json);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    String path = exchange.getRequestURI().getPath();
    requests.add(exchange.getRequestMethod() + " " + path + (query == null ? "" : "?" + query));
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    int status;
    String body;
    if (!("Bearer " + token).equals(authorization)) {
      unauthorized++;
      status = 401;
      body = status("Unauthorized", 401);
    } else if (path.startsWith(LEASES)) {
      String[] answer = lease(exchange.getRequestMethod(), path, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      status = Integer.parseInt(answer[0]);
      body = answer[1];
    } else if (exchange.getRequestMethod().equals("GET") && responses.containsKey(path)) {
      status = 200;
      body = responses.get(path);
    } else {
      status = 404;
      body = status("NotFound", 404);
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  /** The Lease in kube-system, as JSON, or null. */
  String lease(String name) {
    return leases.get(name);
  }

  /** Stores a Lease as if someone had created it. */
  synchronized void putLease(String name, String json) {
    Map<String, Object> lease = parse(json);
    metadata(lease).put("resourceVersion", String.valueOf(++resourceVersion));
    leases.put(name, write(lease));
  }

  /**
   * create (409 when it exists), get (404 when it does not) and update (409 unless the body's
   * resourceVersion is the stored one), as the API server does for Leases.
   */
  private synchronized String[] lease(String method, String path, String body) {
    String name = path.length() > LEASES.length() ? path.substring(LEASES.length() + 1) : null;
    switch (method) {
      case "POST" -> {
        Map<String, Object> lease = parse(body);
        String created = (String) metadata(lease).get("name");
        if (leases.containsKey(created)) {
          return new String[] {"409", status("AlreadyExists", 409)};
        }
        metadata(lease).put("resourceVersion", String.valueOf(++resourceVersion));
        leases.put(created, write(lease));
        return new String[] {"201", leases.get(created)};
      }
      case "GET" -> {
        return leases.containsKey(name)
            ? new String[] {"200", leases.get(name)}
            : new String[] {"404", status("NotFound", 404)};
      }
      case "PUT" -> {
        if (!leases.containsKey(name)) {
          return new String[] {"404", status("NotFound", 404)};
        }
        Map<String, Object> lease = parse(body);
        Object stored = metadata(parse(leases.get(name))).get("resourceVersion");
        if (!stored.equals(metadata(lease).get("resourceVersion"))) {
          return new String[] {"409", status("Conflict", 409)};
        }
        metadata(lease).put("resourceVersion", String.valueOf(++resourceVersion));
        leases.put(name, write(lease));
        return new String[] {"200", leases.get(name)};
      }
      default -> {
        return new String[] {"405", status("MethodNotAllowed", 405)};
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) {
    try {
      return io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().readValue(json, Map.class);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> metadata(Map<String, Object> object) {
    return (Map<String, Object>) object.computeIfAbsent("metadata", k -> new java.util.LinkedHashMap<>());
  }

  private static String write(Map<String, Object> object) {
    try {
      return io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().writeValueAsString(object);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String resource(String plural, String kind) {
    return "{\"name\":\"" + plural + "\",\"singularName\":\"" + kind.toLowerCase() + "\",\"namespaced\":true,\"kind\":\""
        + kind + "\",\"verbs\":[\"get\",\"list\"]}";
  }

  private static String status(String reason, int code) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\""
        + reason + "\",\"code\":" + code + "}";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
