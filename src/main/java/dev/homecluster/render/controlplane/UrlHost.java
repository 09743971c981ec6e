package dev.homecluster.render.controlplane;

/** An IP address as the host part of a URL: IPv6 addresses go in brackets. */
final class UrlHost {
  private UrlHost() {}

  static String of(String address) {
    return address.contains(":") ? "[" + address + "]" : address;
  }
}
