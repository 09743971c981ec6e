package dev.homecluster.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressesTest {
  @Test
  void theFirstAndTenthServiceAddresses() {
    assertThat(Addresses.nth("10.96.0.0/12", 1)).isEqualTo("10.96.0.1");
    assertThat(Addresses.nth("10.96.0.0/12", 10)).isEqualTo("10.96.0.10");
    assertThat(Addresses.nth("fd00:10:96::/108", 10)).isEqualTo("fd00:10:96::a");
  }

  @Test
  void overlapIsSymmetricAndFamilyAware() {
    var a = Addresses.parseCidr("10.0.0.0/8").orElseThrow();
    var b = Addresses.parseCidr("10.244.0.0/16").orElseThrow();
    var c = Addresses.parseCidr("192.168.0.0/16").orElseThrow();
    var v6 = Addresses.parseCidr("::/0").orElseThrow();

    assertThat(Addresses.overlap(a, b)).isTrue();
    assertThat(Addresses.overlap(b, a)).isTrue();
    assertThat(Addresses.overlap(a, c)).isFalse();
    assertThat(Addresses.overlap(a, v6)).isFalse();
  }

  @Test
  void hostBitsAreDetected() {
    assertThat(Addresses.hasHostBits(Addresses.parseCidr("10.244.0.1/16").orElseThrow())).isTrue();
    assertThat(Addresses.hasHostBits(Addresses.parseCidr("10.244.0.0/16").orElseThrow())).isFalse();
  }

  @Test
  void onlyPlainAddressesParse() {
    assertThat(Addresses.parseAddress("192.168.1.1")).isPresent();
    assertThat(Addresses.parseAddress("fd00::1")).isPresent();
    assertThat(Addresses.parseAddress("192.168.1")).isEmpty();
    assertThat(Addresses.parseAddress("10.0.0.0/8")).isEmpty();
    assertThat(Addresses.parseAddress("localhost")).isEmpty();
    assertThat(Addresses.parseCidr("10.0.0.0")).isEmpty();
  }
}
