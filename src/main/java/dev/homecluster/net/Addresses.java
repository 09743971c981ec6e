package dev.homecluster.net;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Strict parsing of IP addresses and CIDRs as users write them in a HomeCluster: dotted quads and
 * RFC 4291 IPv6 only, no inet_aton shorthands, no host names, no DNS look-ups.
 */
public final class Addresses {
  private static final IPAddressStringParameters ADDRESS =
      new IPAddressStringParameters.Builder()
          .allowEmpty(false)
          .allowAll(false)
          .allowMask(false)
          .allowPrefix(false)
          .allowSingleSegment(false)
          .allow_inet_aton(false)
          .allowWildcardedSeparator(false)
          .getIPv4AddressParametersBuilder()
          .allowLeadingZeros(false)
          .allowUnlimitedLeadingZeros(false)
          .allowWildcardedSeparator(false)
          .getParentBuilder()
          .toParams();

  private static final IPAddressStringParameters CIDR =
      ADDRESS.toBuilder().allowPrefix(true).toParams();

  private Addresses() {}

  /** The address, when the text is exactly one IPv4 or IPv6 address. */
  public static Optional<IPAddress> parseAddress(String text) {
    if (text == null || text.isBlank() || !text.equals(text.strip())) {
      return Optional.empty();
    }
    IPAddress address = new IPAddressString(text, ADDRESS).getAddress();
    if (address == null || address.isMultiple() || address.isPrefixed()) {
      return Optional.empty();
    }
    return Optional.of(address);
  }

  /** The network, when the text is a CIDR (address/prefix) whose host bits are zero. */
  public static Optional<IPAddress> parseCidr(String text) {
    if (text == null || !text.contains("/") || !text.equals(text.strip())) {
      return Optional.empty();
    }
    IPAddress address = new IPAddressString(text, CIDR).getAddress();
    if (address == null || !address.isPrefixed()) {
      return Optional.empty();
    }
    return Optional.of(address);
  }

  /** True when the CIDR's text has host bits set (10.244.0.1/16). */
  public static boolean hasHostBits(IPAddress cidr) {
    return !cidr.getLower().withoutPrefixLength().equals(cidr.toPrefixBlock().getLower().withoutPrefixLength());
  }

  /** The CIDR as a block, host bits cleared. */
  public static IPAddress block(IPAddress cidr) {
    return cidr.toPrefixBlock();
  }

  /** True when two blocks share any address. */
  public static boolean overlap(IPAddress a, IPAddress b) {
    IPAddress x = a.toPrefixBlock();
    IPAddress y = b.toPrefixBlock();
    return x.getIPVersion() == y.getIPVersion() && (x.contains(y) || y.contains(x));
  }

  /** True when the block contains the address. */
  public static boolean contains(IPAddress block, IPAddress address) {
    return block.getIPVersion() == address.getIPVersion() && block.toPrefixBlock().contains(address);
  }

  /** Number of addresses in a block. */
  public static BigInteger size(IPAddress block) {
    return block.toPrefixBlock().getCount();
  }

  /** The n-th address of a block (0 is the network address), as text without prefix. */
  public static String nth(IPAddress block, long n) {
    IPAddress base = block.toPrefixBlock().getLower().withoutPrefixLength();
    return base.increment(n).withoutPrefixLength().toCanonicalString();
  }

  /** The n-th address of a CIDR given as text; the CIDR must be valid. */
  public static String nth(String cidr, long n) {
    return nth(
        parseCidr(cidr).orElseThrow(() -> new IllegalArgumentException("not a CIDR: " + cidr)), n);
  }
}
