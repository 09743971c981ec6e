package dev.homecluster.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated API server's audit log ({@code logs/audit.log}, written by simctl's audit policy):
 * one JSON line per request that is not a get, list or watch, with the user who made it.
 */
public final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public AuditLog(Path simStateDir) {
    this.file = simStateDir.resolve("logs").resolve("audit.log");
  }

  /** One write request: verb create/update/patch/delete/deletecollection, and its object. */
  public record Write(String verb, String resource, String subresource, String namespace, String name, int code) {
    public String describe() {
      return verb
          + " "
          + resource
          + (subresource.isEmpty() ? "" : "/" + subresource)
          + " "
          + (namespace.isEmpty() ? "" : namespace + "/")
          + name
          + " -> "
          + code;
    }
  }

  /** The current end of the log: pass it to {@link #writesBy} to see only later requests. */
  public long mark() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Every write request by {@code user} logged after byte {@code from}. */
  public List<Write> writesBy(String user, long from) {
    List<Write> writes = new ArrayList<>();
    if (!Files.exists(file)) {
      throw new BenchException(
          "no audit log at " + file + ": the simulated cluster's simctl predates the audit policy; rebuild it");
    }
    try (FileChannel channel = FileChannel.open(file)) {
      channel.position(from);
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.contains(user)) {
          continue;
        }
        JsonNode event;
        try {
          event = JSON.readTree(line);
        } catch (IOException partialLastLine) {
          continue;
        }
        if (!user.equals(event.path("user").path("username").asText())) {
          continue;
        }
        String verb = event.path("verb").asText();
        if (verb.equals("get") || verb.equals("list") || verb.equals("watch")) {
          continue;
        }
        JsonNode ref = event.path("objectRef");
        writes.add(
            new Write(
                verb,
                ref.path("resource").asText(),
                ref.path("subresource").asText(),
                ref.path("namespace").asText(),
                ref.path("name").asText(),
                event.path("responseStatus").path("code").asInt()));
      }
    } catch (IOException e) {
      throw new BenchException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return writes;
  }

  /** Writes counted by verb (the HTTP methods POST=create, PUT=update, PATCH=patch, DELETE=delete). */
  public static Map<String, Integer> byVerb(List<Write> writes) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Write w : writes) {
      counts.merge(w.verb(), 1, Integer::sum);
    }
    return counts;
  }
}
