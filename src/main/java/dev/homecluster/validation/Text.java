package dev.homecluster.validation;

/** Keeps user input quoted in messages short and printable. */
final class Text {
  private static final int MAX = 64;

  private Text() {}

  static String shorten(String value) {
    StringBuilder out = new StringBuilder();
    value
        .codePoints()
        .limit(MAX)
        .forEach(
            cp -> {
              if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
              } else {
                out.appendCodePoint(cp);
              }
            });
    return value.codePointCount(0, value.length()) > MAX ? out + "..." : out.toString();
  }
}
