package dev.homecluster.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Lifetime and renewal of the certificates the operator issues. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CertificatesSpec {
  @JsonPropertyDescription("Validity of leaf certificates in days.")
  @Default("365")
  @Min(2)
  @Max(3650)
  private Integer validityDays = 365;

  @JsonPropertyDescription(
      "Renew a leaf certificate when fewer than this many days of validity remain.")
  @Default("30")
  @Min(1)
  @Max(3649)
  private Integer renewBeforeDays = 30;

  @JsonPropertyDescription("Validity of the certificate authorities in days.")
  @Default("3650")
  @Min(30)
  @Max(36500)
  private Integer caValidityDays = 3650;

  public Integer getValidityDays() {
    return validityDays;
  }

  public void setValidityDays(Integer validityDays) {
    this.validityDays = validityDays;
  }

  public Integer getRenewBeforeDays() {
    return renewBeforeDays;
  }

  public void setRenewBeforeDays(Integer renewBeforeDays) {
    this.renewBeforeDays = renewBeforeDays;
  }

  public Integer getCaValidityDays() {
    return caValidityDays;
  }

  public void setCaValidityDays(Integer caValidityDays) {
    this.caValidityDays = caValidityDays;
  }
}
