package dev.homecluster.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real machines for integration tests: each {@link RealNode} is a network namespace on a bridge of
 * its own lab network, a PID and mount namespace with that machine's {@code /etc/kubernetes},
 * {@code /var/lib}, {@code /var/log} and a volatile {@code /run}, a containerd from Debian and the
 * kubelet built by {@code src/sim/build.sh kubelet}. Containers really run (runc), from images that
 * {@code src/sim/realnodes/images.sh} packs from the simulated cluster's static binaries under the
 * references the rendering uses. See docs/testing.md, "Real nodes".
 *
 * <p>Why Java drives it and not simctl: the tests need the node's folders, its power switch and its
 * processes between steps, and the cleanup must run from the JVM's shutdown hook. Everything it
 * creates on the host carries the prefix {@value #PREFIX} (network namespaces, cgroup folders) so
 * that {@link #cleanLeftovers()} can remove what a killed JVM left behind, by name. The host's
 * network namespace gets nothing: all addresses ({@value #SUBNET}) live in the lab namespace and
 * the nodes' ones. The sysctls every kubelet writes on the host are saved before the first node
 * starts and restored on {@link #close()}.
 *
 * <p>Needs root, {@code ip netns}, and the packages {@code .ci/run} installs (containerd, runc,
 * umoci, skopeo, iproute2, util-linux). One lab at a time per machine.
 */
public final class RealNodes implements AutoCloseable {
  /** Prefix of every host object the harness creates. */
  public static final String PREFIX = "hcrn";

  /** The lab network: a bridge in {@value #LAB_NETNS} holds {@value #GATEWAY}. */
  public static final String SUBNET = "10.213.0.0/24";

  public static final String GATEWAY = "10.213.0.1";
  public static final String LAB_NETNS = PREFIX + "-lab";

  /** containerd's sandbox image; the kubelet 1.34 default, built from src/sim/cmd/pause. */
  public static final String PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

  /** Host sysctls the kubelet sets at start (not namespaced); restored on close. */
  static final List<String> KUBELET_SYSCTLS =
      List.of(
          "vm.overcommit_memory",
          "vm.panic_on_oom",
          "kernel.panic",
          "kernel.panic_on_oops",
          "kernel.keys.root_maxkeys",
          "kernel.keys.root_maxbytes");

  static final Path SAVED_SYSCTLS = Path.of("/tmp/" + PREFIX + "-saved-sysctls");

  /** Host folders that must exist as mount points; created (and later removed) when absent. */
  private static final List<Path> MOUNT_POINTS = List.of(Path.of("/etc/kubernetes"));

  private static final String CREATED_MARKER = "." + PREFIX + "-created";

  private final Path repo;
  private final Path workDir;
  private final Path bin;
  private final Path scripts;
  private final List<RealNode> nodes = new ArrayList<>();
  private final List<String> imageTars = new ArrayList<>();
  private final Thread shutdownHook;
  private boolean closed;

  private RealNodes(Path repo, Path workDir, Path bin) {
    this.repo = repo;
    this.workDir = workDir;
    this.bin = bin;
    this.scripts = repo.resolve("src/sim/realnodes");
    this.shutdownHook = new Thread(this::closeQuietly, "real-nodes-cleanup");
  }

  /**
   * Why real nodes cannot run here, or {@code null} when they can. Only what the machine truly
   * lacks counts (not root, no network namespaces); a missing package is a failure, not a skip.
   */
  public static String unsupportedReason() {
    if (!"Linux".equals(System.getProperty("os.name"))) {
      return "real nodes need Linux namespaces";
    }
    try {
      String uid = Cmd.run(Duration.ofSeconds(5), "id", "-u").out().strip();
      if (!"0".equals(uid)) {
        return "real nodes need root (network, PID and mount namespaces, cgroups); uid is " + uid;
      }
      Cmd.Result netns = Cmd.run(Duration.ofSeconds(5), "unshare", "-n", "-m", "-p", "-f", "true");
      if (netns.exit() != 0) {
        return "this machine does not allow new network/mount/PID namespaces: " + netns.err();
      }
    } catch (UncheckedIOException e) {
      return "cannot check for root and namespaces: " + e.getMessage();
    }
    return null;
  }

  /**
   * Removes what an earlier run left, builds the kubelet (when not prebuilt), saves the host
   * sysctls and creates the lab network. {@code workDir} holds one folder per node (its disk and
   * logs) and is emptied first.
   */
  public static RealNodes start(Path workDir) {
    for (String tool : List.of("containerd", "ctr", "runc", "umoci", "skopeo", "ip", "nsenter")) {
      if (Cmd.run(Duration.ofSeconds(5), "sh", "-c", "command -v " + tool).exit() != 0) {
        throw new IllegalStateException(
            tool + " is not installed; real nodes need the packages .ci/run installs");
      }
    }
    cleanLeftovers();
    Path repo = SimBuild.repoRoot();
    Path bin = buildKubelet(repo);
    RealNodes lab = new RealNodes(repo, workDir.toAbsolutePath(), bin);
    Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
    try {
      deleteTree(lab.workDir);
      Files.createDirectories(lab.workDir);
      saveSysctls();
      for (Path mountPoint : MOUNT_POINTS) {
        if (!Files.exists(mountPoint)) {
          Files.createDirectories(mountPoint);
          Files.writeString(mountPoint.resolve(CREATED_MARKER), "created by RealNodes\n");
        }
      }
      ip("netns", "add", LAB_NETNS);
      ipIn(LAB_NETNS, "link", "set", "lo", "up");
      ipIn(LAB_NETNS, "link", "add", "br0", "type", "bridge");
      ipIn(LAB_NETNS, "addr", "add", GATEWAY + "/24", "dev", "br0");
      ipIn(LAB_NETNS, "link", "set", "br0", "up");
      return lab;
    } catch (IOException | RuntimeException e) {
      lab.closeQuietly();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** The bin folder with the kubelet and the static binaries; builds them unless prebuilt. */
  private static Path buildKubelet(Path repo) {
    Path bin = SimBuild.simDir(repo).resolve("bin");
    if (!Boolean.getBoolean(SimBuild.PREBUILT_PROPERTY)) {
      Cmd.Result build =
          Cmd.run(Duration.ofMinutes(60), "bash", repo.resolve("src/sim/build.sh").toString(), "kubelet");
      if (build.exit() != 0) {
        throw new IllegalStateException("src/sim/build.sh kubelet failed:\n" + build.err());
      }
    }
    for (String b : List.of("kubelet", "pause", "etcd")) {
      if (!Files.isExecutable(bin.resolve(b))) {
        throw new IllegalStateException(
            bin.resolve(b) + " is missing: build it with src/sim/build.sh kubelet");
      }
    }
    return bin;
  }

  /**
   * Builds (or takes from the cache) the images the nodes import at boot: the pause image always,
   * plus {@code kind -> reference} for etcd, kube-apiserver, kube-controller-manager or
   * kube-scheduler, the references the rendered pods name. Call before the first boot.
   */
  public void images(Map<String, String> references) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("pause", PAUSE_IMAGE);
    all.putAll(references);
    List<String> command = new ArrayList<>(List.of("bash", scripts.resolve("images.sh").toString()));
    command.add(SimBuild.simDir(repo).resolve("images").toString());
    command.add(bin.toString());
    all.forEach((kind, ref) -> command.add(kind + "=" + ref));
    Cmd.Result result = Cmd.run(Duration.ofMinutes(5), command.toArray(String[]::new));
    if (result.exit() != 0) {
      throw new IllegalStateException("images.sh failed: " + result.err() + result.out());
    }
    imageTars.clear();
    result.out().lines().map(l -> l.split(" ")[1]).forEach(imageTars::add);
  }

  /**
   * Adds a powered-off machine {@code name} at {@code address} (inside {@value #SUBNET}, not the
   * gateway): its network namespace, cabled to the lab bridge, its folders and cgroup root.
   */
  public RealNode add(String name, String address) {
    int index = nodes.size() + 1;
    RealNode node = new RealNode(this, name, address, index, workDir.resolve(name));
    node.create();
    nodes.add(node);
    return node;
  }

  /** Runs a command in the lab network namespace (the bridge, as a client on the LAN would). */
  public Cmd.Result inLab(Duration timeout, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", LAB_NETNS));
    full.addAll(List.of(command));
    return Cmd.run(timeout, full.toArray(String[]::new));
  }

  public List<RealNode> nodes() {
    return List.copyOf(nodes);
  }

  Path bin() {
    return bin;
  }

  Path scripts() {
    return scripts;
  }

  List<String> imageTars() {
    return List.copyOf(imageTars);
  }

  /** Powers every node off, removes namespaces and cgroups, restores the sysctls. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (RealNode node : nodes) {
      node.powerOffQuietly();
    }
    cleanLeftovers();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("RealNodes cleanup failed: " + e);
    }
  }

  /**
   * Removes, by name, everything a run of this harness can leave on the host: processes in the
   * {@value #PREFIX}-* network namespaces (each node's PID 1 among them, so their PID namespaces
   * go too), those namespaces, the {@value #PREFIX}-* cgroup folders, the mount points it created,
   * and restores the saved sysctls. Safe to call when nothing is left.
   */
  public static void cleanLeftovers() {
    List<String> namespaces =
        Cmd.run(Duration.ofSeconds(10), "ip", "netns", "list").out().lines()
            .map(l -> l.split(" ")[0])
            .filter(n -> n.startsWith(PREFIX + "-"))
            .toList();
    for (String ns : namespaces) {
      String pids = Cmd.run(Duration.ofSeconds(10), "ip", "netns", "pids", ns).out().strip();
      if (!pids.isEmpty()) {
        List<String> kill = new ArrayList<>(List.of("kill", "-9"));
        kill.addAll(List.of(pids.split("\\s+")));
        Cmd.run(Duration.ofSeconds(10), kill.toArray(String[]::new));
      }
    }
    for (String ns : namespaces) {
      awaitTrue(
          "processes of netns " + ns + " gone",
          Duration.ofSeconds(20),
          () -> Cmd.run(Duration.ofSeconds(10), "ip", "netns", "pids", ns).out().isBlank());
      Cmd.run(Duration.ofSeconds(10), "ip", "netns", "del", ns);
    }
    removeCgroups(PREFIX + "-", true);
    for (Path mountPoint : MOUNT_POINTS) {
      try (Stream<Path> entries =
          Files.isDirectory(mountPoint) ? Files.list(mountPoint) : Stream.empty()) {
        List<Path> list = entries.toList();
        if (list.size() == 1 && list.get(0).getFileName().toString().equals(CREATED_MARKER)) {
          Files.delete(list.get(0));
          Files.delete(mountPoint);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    restoreSysctls();
  }

  /**
   * Removes cgroup folders under every hierarchy whose name starts with {@code prefix}: with
   * {@code andRoot} the folders themselves, else only what is below them (a node's stale pods
   * after a power cut). Depth first; a folder still holding a dying process is retried.
   */
  static void removeCgroups(String prefix, boolean andRoot) {
    awaitTrue(
        "cgroup folders " + prefix + "* removed",
        Duration.ofSeconds(20),
        () -> {
          boolean clean = true;
          for (Path root : cgroupRoots(prefix)) {
            try (Stream<Path> tree = Files.walk(root)) {
              List<Path> dirs =
                  tree.filter(Files::isDirectory)
                      .filter(d -> andRoot || !d.equals(root))
                      .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                      .toList();
              for (Path dir : dirs) {
                try {
                  Files.delete(dir);
                } catch (IOException busy) {
                  clean = false;
                }
              }
            } catch (IOException | UncheckedIOException gone) {
              clean = false;
            }
          }
          return clean;
        });
  }

  private static List<Path> cgroupRoots(String prefix) {
    List<Path> roots = new ArrayList<>();
    for (String[] mount : cgroupMounts()) {
      try (Stream<Path> children = Files.list(Path.of(mount[1]))) {
        children
            .filter(p -> p.getFileName().toString().startsWith(prefix))
            .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
            .forEach(roots::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return roots;
  }

  /** The host's cgroup hierarchies: {fstype, mount point, options}, v1 and v2. */
  static List<String[]> cgroupMounts() {
    try {
      return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
          .map(l -> l.split(" "))
          .filter(f -> f[2].equals("cgroup") || f[2].equals("cgroup2"))
          .filter(f -> f[1].startsWith("/sys/fs/cgroup"))
          .map(f -> new String[] {f[2], f[1], f[3]})
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void saveSysctls() throws IOException {
    if (Files.exists(SAVED_SYSCTLS)) {
      return; // an earlier run's original values; cleanLeftovers restores them
    }
    StringBuilder saved = new StringBuilder();
    for (String key : KUBELET_SYSCTLS) {
      saved.append(key).append('=').append(sysctl(key)).append('\n');
    }
    Files.writeString(SAVED_SYSCTLS, saved);
  }

  private static void restoreSysctls() {
    if (!Files.exists(SAVED_SYSCTLS)) {
      return;
    }
    try {
      for (String line : Files.readAllLines(SAVED_SYSCTLS)) {
        if (line.isBlank()) {
          continue;
        }
        Cmd.Result set = Cmd.run(Duration.ofSeconds(5), "sysctl", "-q", "-w", line);
        String key = line.substring(0, line.indexOf('='));
        String want = line.substring(line.indexOf('=') + 1);
        if (set.exit() != 0 || !sysctl(key).equals(want)) {
          throw new IllegalStateException("cannot restore sysctl " + line + ": " + set.err());
        }
      }
      Files.delete(SAVED_SYSCTLS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The current value of a host sysctl. Read by {@code sysctl -n}, not {@code Files.readString}:
   * procfs integer sysctls answer only a read at offset 0, and Java's first read of a file whose
   * size shows as 0 is short, so it saw "1" for 1000000 (and the restore then wrote that).
   */
  public static String sysctl(String key) {
    return Cmd.run(Duration.ofSeconds(5), "sysctl", "-n", key).orThrow("sysctl -n " + key).out().strip();
  }

  static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Cmd.Result result = Cmd.run(Duration.ofSeconds(10), command.toArray(String[]::new));
    if (result.exit() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + result.err());
    }
  }

  static void ipIn(String netns, String... args) {
    List<String> command = new ArrayList<>(List.of("-n", netns));
    command.addAll(List.of(args));
    ip(command.toArray(String[]::new));
  }

  static void kill9(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  static void awaitTrue(String what, Duration timeout, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + ": not within " + timeout);
      }
      sleep(Duration.ofMillis(100));
    }
  }

  static void sleep(Duration duration) {
    try {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> tree = Files.walk(root)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
