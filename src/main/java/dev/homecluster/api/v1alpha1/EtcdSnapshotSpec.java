package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** etcd snapshots to the NFS export. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdSnapshotSpec {
  @JsonPropertyDescription("Take etcd snapshots.")
  @Default("true")
  private Boolean enabled = Boolean.TRUE;

  @JsonPropertyDescription("Cron schedule of the snapshots.")
  @Default("0 */6 * * *")
  @Size(max = 100)
  @Pattern(Schedules.CRON_PATTERN)
  private String schedule = "0 */6 * * *";

  @JsonPropertyDescription("How many snapshots to keep; older ones are deleted.")
  @Default("28")
  @Min(1)
  @Max(10000)
  private Integer keep = 28;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public Integer getKeep() {
    return keep;
  }

  public void setKeep(Integer keep) {
    this.keep = keep;
  }
}
