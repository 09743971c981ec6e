package dev.homecluster.render.controlplane;

/**
 * The apiserver's structured authentication configuration ({@code --authentication-config}).
 *
 * <p>Anonymous requests are allowed for the health endpoints only. The kubelet's probes carry no
 * credentials, so with {@code --anonymous-auth=false} every {@code /readyz} probe would get 401
 * and the apiserver would never be Ready. The {@code anonymous.conditions} list (KEP-4633, beta
 * in 1.32, GA in 1.34) keeps anonymous access off everywhere else, even if someone later binds
 * {@code system:anonymous} to a role; the built-in {@code system:public-info-viewer} role already
 * authorizes these paths. The file replaces the {@code --anonymous-auth} flag: the apiserver
 * refuses both.
 */
public final class ApiServerAuthenticationConfig {
  public static final String FILE = "authentication-config.yaml";

  private ApiServerAuthenticationConfig() {}

  /** The configuration file's content. */
  public static String yaml() {
    return """
        apiVersion: apiserver.config.k8s.io/v1beta1
        kind: AuthenticationConfiguration
        anonymous:
          enabled: true
          conditions:
          - path: /livez
          - path: /readyz
          - path: /healthz
        """;
  }
}
