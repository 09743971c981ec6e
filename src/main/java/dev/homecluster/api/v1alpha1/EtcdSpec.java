package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** etcd, run as a static pod on every master. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdSpec {
  public static final String DEFAULT_VERSION = "3.6.4-0";
  public static final String DEFAULT_DATA_DIR = "/var/lib/etcd";

  @JsonPropertyDescription(
      "Tag of the etcd image in imageRepository (registry.k8s.io/etcd:<version>). Pin it by"
          + " digest with <tag>@sha256:<64 hex digits>.")
  @Default(DEFAULT_VERSION)
  @Size(max = 200)
  @Pattern(ImageReferences.TAG)
  private String version = DEFAULT_VERSION;

  @JsonPropertyDescription(
      "Absolute host path of etcd's data directory on every master. Not a system directory, and"
          + " apart from storage.ceph.dataDirHostPath and backup.exportPath.")
  @Default(DEFAULT_DATA_DIR)
  @Size(min = 1, max = 255)
  @Pattern("^/.*")
  @ValidationRule(value = "!self.contains('..')", message = "must not contain '..'")
  @ValidationRule(value = HostPathSchema.NOT_SYSTEM_RULE, message = HostPathSchema.NOT_SYSTEM_MESSAGE)
  private String dataDir = DEFAULT_DATA_DIR;

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getDataDir() {
    return dataDir;
  }

  public void setDataDir(String dataDir) {
    this.dataDir = dataDir;
  }
}
