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
 * 127.0.0.1 with a certificate from a fresh CA, so the real kubectl can be pointed at it. Answers
 * discovery of the core group and a GET of an exact path (query ignored) with the JSON registered
 * for it, only to a request carrying {@code Authorization: Bearer <token>}; 401 otherwise, 404
 * for an unknown path.
 */
final class FakeApiServer implements AutoCloseable {
  private final HttpsServer server;
  private final CertificateAuthority ca;
  private final String token;
  private final Map<String, String> responses = new ConcurrentHashMap<>();
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
    answer("/apis", "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}");
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
