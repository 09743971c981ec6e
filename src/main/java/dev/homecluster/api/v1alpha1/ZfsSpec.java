package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** ZFS snapshots of the backup dataset. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ZfsSpec {
  public static final String DEFAULT_IMAGE = "docker.io/library/debian:bookworm-slim";

  @JsonPropertyDescription("The ZFS dataset to snapshot, for example tank or tank/backups.")
  @Required
  @Size(min = 1, max = 255)
  @Pattern("^[A-Za-z0-9][A-Za-z0-9_.:-]*(/[A-Za-z0-9_.:-]+)*$")
  private String dataset;

  @JsonPropertyDescription(
      "Cron schedule of the snapshot; put it after the rsync window (default 30 minutes after).")
  @Default("30 3 * * *")
  @Size(max = 100)
  @Pattern(Schedules.CRON_PATTERN)
  private String snapshotSchedule = "30 3 * * *";

  @JsonPropertyDescription(
      "How many snapshots made by this operator to keep. Older ones made by it are destroyed;"
          + " snapshots made by anyone else are never touched.")
  @Default("14")
  @Min(1)
  @Max(10000)
  private Integer keepSnapshots = 14;

  @JsonPropertyDescription("Image of the snapshot job; it runs the host's zfs command.")
  @Default(DEFAULT_IMAGE)
  @Size(max = ImageReferences.MAX_LENGTH)
  @Pattern(ImageReferences.REFERENCE)
  private String image = DEFAULT_IMAGE;

  public String getDataset() {
    return dataset;
  }

  public void setDataset(String dataset) {
    this.dataset = dataset;
  }

  public String getSnapshotSchedule() {
    return snapshotSchedule;
  }

  public void setSnapshotSchedule(String snapshotSchedule) {
    this.snapshotSchedule = snapshotSchedule;
  }

  public Integer getKeepSnapshots() {
    return keepSnapshots;
  }

  public void setKeepSnapshots(Integer keepSnapshots) {
    this.keepSnapshots = keepSnapshots;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }
}
