package dev.homecluster.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One real machine of a {@link RealNodes} lab. Its disk is a host folder ({@link #dir()}):
 * {@code etc-kubernetes/} is its {@code /etc/kubernetes}, {@code var-lib/} its {@code /var/lib}
 * (etcd, kubelet and containerd data), {@code var-log/} its {@code /var/log} (kubelet.log,
 * containerd.log, pods/), {@code machine/} what the harness configures (containerd.toml, a kubelet
 * drop-in, the cgroup mounts) and {@code console-N.log} the output of boot N's init.
 *
 * <p>{@link #powerOn()} runs {@code src/sim/realnodes/node-init.sh} as PID 1 of a new PID and
 * mount namespace inside the node's network namespace; {@link #powerCut()} SIGKILLs that PID 1,
 * which takes every process of the machine along at once, like pulling the plug.
 */
public final class RealNode {
  private final RealNodes lab;
  private final String name;
  private final String address;
  private final int index;
  private final Path dir;
  private final String netns;
  private final String cgroupRoot;
  private Process init;
  private long pid1;
  private String pidNamespace;
  private int boots;

  RealNode(RealNodes lab, String name, String address, int index, Path dir) {
    this.lab = lab;
    this.name = name;
    this.address = address;
    this.index = index;
    this.dir = dir;
    this.netns = RealNodes.PREFIX + "-" + name;
    this.cgroupRoot = RealNodes.PREFIX + "-" + name;
  }

  public String name() {
    return name;
  }

  public String address() {
    return address;
  }

  /** The node's folder on the host (its disk); see the class comment. */
  public Path dir() {
    return dir;
  }

  /** The host folder that is this machine's {@code /etc/kubernetes}. */
  public Path etcKubernetes() {
    return dir.resolve("etc-kubernetes");
  }

  /** A file of this machine's {@code /var/log}, e.g. {@code kubelet.log}. */
  public Path log(String name) {
    return dir.resolve("var-log").resolve(name);
  }

  /** The network namespace, for {@code ip netns exec} (e.g. etcd's metrics on 127.0.0.1). */
  public String netns() {
    return netns;
  }

  void create() {
    try {
      for (String d : List.of("etc-kubernetes", "var-lib", "var-log", "machine/kubelet.conf.d")) {
        Files.createDirectories(dir.resolve(d));
      }
      StringBuilder mounts = new StringBuilder();
      for (String[] m : RealNodes.cgroupMounts()) {
        mounts.append(m[0]).append(' ').append(m[1]).append(' ').append(m[2]).append('\n');
        Path root = Path.of(m[1], cgroupRoot);
        Files.createDirectories(root);
        if (m[2].contains("cpuset")) { // a new cpuset cgroup starts empty; the kubelet needs both
          for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
            Files.writeString(root.resolve(f), Files.readString(Path.of(m[1], f)).strip());
          }
        }
      }
      Files.writeString(dir.resolve("machine/cgroup-mounts"), mounts);
      Files.writeString(dir.resolve("machine/containerd.toml"), containerdConfig());
      Files.writeString(dir.resolve("machine/kubelet.conf.d/50-machine.conf"), kubeletDropIn());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String veth = RealNodes.PREFIX + index + "h";
    RealNodes.ip("netns", "add", netns);
    RealNodes.ipIn(
        RealNodes.LAB_NETNS, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns",
        netns);
    RealNodes.ipIn(RealNodes.LAB_NETNS, "link", "set", veth, "master", "br0", "up");
    RealNodes.ipIn(netns, "link", "set", "lo", "up");
    RealNodes.ipIn(netns, "addr", "add", address + "/24", "dev", "eth0");
    RealNodes.ipIn(netns, "link", "set", "eth0", "up");
    RealNodes.ipIn(netns, "route", "add", "default", "via", RealNodes.GATEWAY);
  }

  /**
   * What this lab's machine needs that docs/bootstrap.md's step 1 leaves to the machine: the
   * kubelet's own cgroup root (several kubelets share the host's cgroup v1 hierarchies), cgroupfs
   * (no systemd here), no swap check, no resolv.conf (the host's resolver is not reachable from
   * the lab), images never garbage-collected (there is no registry to pull them again), and the
   * volume plugin folder on the node's disk instead of the host's /usr/libexec. The rendered
   * {@code kubelet-config.yaml} stays the base.
   */
  private String kubeletDropIn() {
    return String.join(
        "\n",
        "apiVersion: kubelet.config.k8s.io/v1beta1",
        "kind: KubeletConfiguration",
        "cgroupDriver: cgroupfs",
        "cgroupRoot: /" + cgroupRoot,
        "cgroupsPerQOS: true",
        "failSwapOn: false",
        "failCgroupV1: false",
        "resolvConf: \"\"",
        "imageGCHighThresholdPercent: 100",
        "volumePluginDir: /var/lib/kubelet/volume-plugins",
        "evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%}",
        "");
  }

  /**
   * containerd on the node's disk and /run. {@code restrict_oom_score_adj}: root here lacks
   * CAP_SYS_RESOURCE, and without it every sandbox fails ("can't get final child's PID from pipe:
   * EOF"). The opt plugin would otherwise create /opt/containerd on the host.
   */
  private String containerdConfig() {
    return String.join(
        "\n",
        "version = 2",
        "root = \"/var/lib/containerd\"",
        "state = \"/run/containerd\"",
        "[grpc]",
        "  address = \"/run/containerd/containerd.sock\"",
        "[plugins.\"io.containerd.internal.v1.opt\"]",
        "  path = \"/var/lib/containerd/opt\"",
        "[plugins.\"io.containerd.grpc.v1.cri\"]",
        "  sandbox_image = \"" + RealNodes.PAUSE_IMAGE + "\"",
        "  restrict_oom_score_adj = true",
        "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]",
        "    runtime_type = \"io.containerd.runc.v2\"",
        "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]",
        "      SystemdCgroup = false",
        "  [plugins.\"io.containerd.grpc.v1.cri\".cni]",
        "    bin_dir = \"/usr/lib/cni\"",
        "    conf_dir = \"/etc/cni/net.d\"",
        "");
  }

  /** Powers the machine on: its init mounts its disk, starts containerd, imports, starts kubelet. */
  public synchronized void powerOn() {
    if (init != null) {
      throw new IllegalStateException(name + " is already on");
    }
    boots++;
    List<String> command =
        new ArrayList<>(
            List.of(
                // the nodes die with the JVM even when it is SIGKILLed (no shutdown hook then)
                "setpriv", "--pdeathsig", "KILL",
                "ip", "netns", "exec", netns,
                "unshare", "-m", "-p", "-u", "-f", "--kill-child", "--mount-proc",
                "--propagation", "private",
                lab.scripts().resolve("node-init.sh").toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("console-" + boots + ".log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.put("NODE_NAME", name);
    env.put("NODE_IP", address);
    env.put("NODE_DIR", dir.toString());
    env.put("SIM_BIN", lab.bin().toString());
    env.put("NODE_IMAGES", String.join(" ", lab.imageTars()));
    try {
      init = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot power on " + name, e);
    }
    RealNodes.awaitTrue(
        name + "'s init started",
        Duration.ofSeconds(10),
        () -> init.children().findFirst().isPresent() || !init.isAlive());
    Optional<ProcessHandle> child = init.children().findFirst();
    if (child.isEmpty()) {
      throw new IllegalStateException(
          name + " did not boot: " + RealNodes.read(dir.resolve("console-" + boots + ".log")));
    }
    pid1 = child.get().pid();
    try {
      pidNamespace = Files.readSymbolicLink(Path.of("/proc/" + pid1 + "/ns/pid")).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Cuts the power: SIGKILL to the node's PID 1, then waits until no process of its PID namespace
   * is left and removes the stale cgroups below its root (a real machine starts with none; left
   * in place, cadvisor loops on "Failed to create existing container"). Returns how long the
   * processes took to die.
   */
  public synchronized Duration powerCut() {
    if (init == null) {
      throw new IllegalStateException(name + " is off");
    }
    long start = System.nanoTime();
    RealNodes.kill9(pid1);
    RealNodes.awaitTrue(
        "every process of " + name + " dead",
        Duration.ofSeconds(30),
        () -> processes().isEmpty());
    Duration dying = Duration.ofNanos(System.nanoTime() - start);
    try {
      init.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    init = null;
    RealNodes.removeCgroups(cgroupRoot, false);
    return dying;
  }

  void powerOffQuietly() {
    try {
      if (init != null) {
        powerCut();
      }
    } catch (RuntimeException e) {
      System.err.println("cannot power off " + name + ": " + e);
    }
  }

  public boolean isOn() {
    return init != null;
  }

  /**
   * Host PIDs of every process of this machine, with their command names: those of its PID
   * namespace (init, containerd, shims, kubelet) and those in its cgroup root (the containers, which
   * runc puts in PID namespaces of their own).
   */
  public Map<Long, String> processes() {
    Map<Long, String> found = new TreeMap<>();
    if (pidNamespace == null) {
      return found;
    }
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String pid = p.getFileName().toString();
        if (!pid.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (Files.readSymbolicLink(p.resolve("ns/pid")).toString().equals(pidNamespace)) {
            found.put(Long.parseLong(pid), Files.readString(p.resolve("comm")).strip());
          }
        } catch (IOException exited) {
          // gone while listing
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path pids = Path.of("/sys/fs/cgroup/pids", cgroupRoot);
    if (Files.isDirectory(pids)) {
      try (Stream<Path> tree = Files.walk(pids)) {
        for (Path procsFile : tree.filter(f -> f.endsWith("cgroup.procs")).toList()) {
          for (String pid : Files.readAllLines(procsFile)) {
            try {
              found.put(
                  Long.parseLong(pid.strip()),
                  Files.readString(Path.of("/proc", pid.strip(), "comm")).strip());
            } catch (IOException | NumberFormatException exited) {
              // gone while listing
            }
          }
        }
      } catch (IOException | UncheckedIOException removed) {
        // a cgroup folder went away while walking
      }
    }
    return found;
  }

  /** Resident memory in MiB per command name (summed over processes of that name). */
  public Map<String, Long> residentMemoryMiB() {
    Map<String, Long> kib = new TreeMap<>();
    for (Map.Entry<Long, String> process : processes().entrySet()) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.getKey() + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            long value = Long.parseLong(line.replaceAll("[^0-9]", ""));
            kib.merge(process.getValue(), value, Long::sum);
          }
        }
      } catch (IOException exited) {
        // gone while reading
      }
    }
    Map<String, Long> mib = new TreeMap<>();
    kib.forEach((k, v) -> mib.put(k, (v + 512) / 1024));
    return mib;
  }

  /** Runs a command inside the machine (its mount, network and PID namespaces), e.g. ctr. */
  public Cmd.Result exec(Duration timeout, String... command) {
    if (init == null) {
      throw new IllegalStateException(name + " is off");
    }
    List<String> full =
        new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid1), "-m", "-n", "-p", "--"));
    full.addAll(List.of(command));
    return Cmd.run(timeout, full.toArray(String[]::new));
  }

  /** Runs a host command in the machine's network namespace only (its localhost listeners). */
  public Cmd.Result inNetns(Duration timeout, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    full.addAll(List.of(command));
    return Cmd.run(timeout, full.toArray(String[]::new));
  }

  @Override
  public String toString() {
    return name + "(" + address + ")";
  }
}
