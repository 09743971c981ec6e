package dev.homecluster.bootstrap;

import java.util.Objects;

/**
 * One file of the bootstrap directory. Most hold key material, so {@link #toString} shows the path
 * only.
 *
 * @param path relative path inside the output directory, with {@code /} separators
 * @param content the file's text
 */
public record BootstrapFile(String path, String content) {
  public BootstrapFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(content, "content");
    if (path.startsWith("/") || path.contains("..")) {
      throw new IllegalArgumentException("not a relative path: " + path);
    }
  }

  @Override
  public String toString() {
    return "BootstrapFile[" + path + "]";
  }
}
