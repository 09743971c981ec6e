package dev.homecluster.render.controlplane;

/**
 * The apiserver's audit policy ({@code --audit-policy-file}) and where its log goes.
 *
 * <p>Rules match first to last, the first match decides. What is left out is noise a home cluster
 * produces every second and nobody reads: health probes, discovery documents, watch streams,
 * node and leader-election heartbeats ({@code leases}), Events (themselves a record) and the
 * kubelets' own reads of their nodes. Secrets, ConfigMaps, service-account token requests, token
 * and access reviews are logged at {@code Metadata}: who did what to which object, never the
 * content (a request body would copy every Secret into a plain-text file). Any other write is
 * logged with its request body; other reads at {@code Metadata}. The {@code RequestReceived}
 * stage is omitted: each request is logged once it has an answer.
 *
 * <p>The log is a file on the master ({@link #LOG_DIR}, a hostPath), rotated by the apiserver:
 * {@value #MAX_SIZE_MB} MB per file, {@value #MAX_BACKUPS} old files, none older than {@value
 * #MAX_AGE_DAYS} days, so at most about 1.1 GB per master.
 */
public final class ApiServerAuditPolicy {
  public static final String FILE = "audit-policy.yaml";
  /** The host directory of the audit log, on every master. */
  public static final String LOG_DIR = "/var/log/kubernetes/audit";
  public static final String LOG_FILE = LOG_DIR + "/audit.log";
  static final int MAX_AGE_DAYS = 30;
  static final int MAX_BACKUPS = 10;
  static final int MAX_SIZE_MB = 100;

  private ApiServerAuditPolicy() {}

  /** The flags that turn auditing on, given where the policy file is mounted. */
  static java.util.List<String> flags(String policyDir) {
    return java.util.List.of(
        "--audit-log-maxage=" + MAX_AGE_DAYS,
        "--audit-log-maxbackup=" + MAX_BACKUPS,
        "--audit-log-maxsize=" + MAX_SIZE_MB,
        "--audit-log-path=" + LOG_FILE,
        "--audit-policy-file=" + policyDir + "/" + FILE);
  }

  /** The policy file's content. */
  public static String yaml() {
    return """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages:
        - RequestReceived
        rules:
        # Probes and discovery documents.
        - level: None
          nonResourceURLs:
          - /healthz*
          - /livez*
          - /readyz*
          - /version
          - /metrics
          - /openapi/*
          - /api
          - /api/*
          - /apis
          - /apis/*
        # Watch streams: every client holds several open all the time.
        - level: None
          verbs:
          - watch
        # Heartbeats and leader election: every node and controller, every few seconds.
        - level: None
          resources:
          - group: coordination.k8s.io
            resources:
            - leases
        # Events are a record of their own.
        - level: None
          resources:
          - group: ""
            resources:
            - events
          - group: events.k8s.io
            resources:
            - events
        # Kubelets reading and reporting on their own nodes.
        - level: None
          userGroups:
          - system:nodes
          verbs:
          - get
          - list
          resources:
          - group: ""
            resources:
            - nodes
            - nodes/status
        # Keys and configuration: who and when, never the content.
        - level: Metadata
          resources:
          - group: ""
            resources:
            - secrets
            - configmaps
            - serviceaccounts/token
          - group: authentication.k8s.io
            resources:
            - tokenreviews
          - group: authorization.k8s.io
            resources:
            - subjectaccessreviews
            - selfsubjectaccessreviews
            - localsubjectaccessreviews
        # Every other write, with what was written.
        - level: Request
          verbs:
          - create
          - update
          - patch
          - delete
          - deletecollection
        # Everything else (reads): who and when.
        - level: Metadata
        """;
  }
}
