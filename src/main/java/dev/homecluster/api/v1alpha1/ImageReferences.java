package dev.homecluster.api.v1alpha1;

/**
 * The grammar of container image references (the distribution project's, as containerd and the
 * kubelet parse them), shared by the CRD's patterns and the Java validator so both refuse the
 * same values: what cannot be pulled ({@code 3.6.4-0 ; id}, spaces, an uppercase repository) is
 * refused; a tag, a digest ({@code repo@sha256:<64 hex>}) or both ({@code repo:tag@sha256:...})
 * are accepted. Plain RE2-compatible expressions: the API server evaluates them in Go.
 */
public final class ImageReferences {
  /** A registry host: a name with a dot or a port, or localhost (else it is a path). */
  private static final String HOST_PART = "([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";

  private static final String DOMAIN =
      "(" + HOST_PART + "(\\." + HOST_PART + ")+(:[0-9]+)?|" + HOST_PART + ":[0-9]+|localhost)";

  /** One lowercase path component of a repository. */
  private static final String PATH = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*";

  private static final String NAME = "(" + DOMAIN + "/)?" + PATH + "(/" + PATH + ")*";

  private static final String TAG_PART = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

  private static final String DIGEST_PART = "@sha256:[a-f0-9]{64}";

  /** A whole image reference: repository, then a tag, a digest or both. */
  public static final String REFERENCE =
      "^" + NAME + "(:" + TAG_PART + ")?(" + DIGEST_PART + ")?$";

  /** A registry, optionally with a path, that names are appended to (imageRepository). */
  public static final String REPOSITORY = "^(" + DOMAIN + "|" + NAME + ")$";

  /** A tag, optionally pinned by digest (etcd's version): {@code 3.6.4-0@sha256:...}. */
  public static final String TAG = "^" + TAG_PART + "(" + DIGEST_PART + ")?$";

  /** Longest reference: a 255-character name, a 128-character tag and a sha256 digest. */
  public static final int MAX_LENGTH = 255 + 1 + 128 + 72;

  /** An example for messages and descriptions. */
  public static final String EXAMPLE =
      "docker.io/library/haproxy:3.2-alpine or repo@sha256:<64 hex digits>";

  private ImageReferences() {}
}
