package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** The nightly copy of the Ceph filesystem to the NFS export. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RsyncSpec {
  public static final String DEFAULT_SCHEDULE = "0 3 * * *";
  public static final List<String> DEFAULT_FLAGS = List.of("-aHAX", "--delete-after");
  public static final String DEFAULT_IMAGE = "docker.io/instrumentisto/rsync-ssh:alpine3.22";

  @JsonPropertyDescription("Cron schedule of the rsync run, in the cluster's time zone (UTC).")
  @Default(DEFAULT_SCHEDULE)
  @Size(max = 100)
  @Pattern(Schedules.CRON_PATTERN)
  private String schedule = DEFAULT_SCHEDULE;

  @JsonPropertyDescription("rsync flags. The default keeps hard links, ACLs and xattrs.")
  @Size(max = 32)
  private List<String> flags = new ArrayList<>(DEFAULT_FLAGS);

  @JsonPropertyDescription(
      "Directory under the export that receives the copy, relative, without '..'. Not the"
          + " export itself and not etcd or .homecluster, the directories the operator keeps"
          + " there: rsync --delete-after empties whatever else is in the target.")
  @Default("cephfs")
  @Size(min = 1, max = 255)
  @Pattern("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
  @ValidationRule(value = "!self.contains('..')", message = "must not contain '..'")
  @ValidationRule(
      value = "!self.matches('^(\\\\./)*(\\\\.|etcd|\\\\.homecluster)(/.*)?$')",
      message =
          "must be a directory of its own under the export: not '.', etcd (the etcd snapshots)"
              + " or .homecluster (the backup jobs' results), which rsync --delete-after would"
              + " empty")
  private String target = "cephfs";

  @JsonPropertyDescription("Seconds after which a run is stopped and counted as failed.")
  @Default("21600")
  @Min(60)
  @Max(86400)
  private Integer timeoutSeconds = 21600;

  @JsonPropertyDescription("Image with rsync.")
  @Default(DEFAULT_IMAGE)
  @Size(max = ImageReferences.MAX_LENGTH)
  @Pattern(ImageReferences.REFERENCE)
  private String image = DEFAULT_IMAGE;

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public List<String> getFlags() {
    return flags;
  }

  public void setFlags(List<String> flags) {
    this.flags = flags;
  }

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public Integer getTimeoutSeconds() {
    return timeoutSeconds;
  }

  public void setTimeoutSeconds(Integer timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }
}
