package dev.homecluster.render.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.Role;
import dev.homecluster.render.Names;
import dev.homecluster.render.Placement;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import dev.homecluster.testing.Golden;
import dev.homecluster.testing.Rendered;
import dev.homecluster.yaml.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NfsServerTest {
  private final NfsServer component = new NfsServer();

  @Test
  void runsOnlyOnTheBackupNodeExportingTheExportPath() {
    List<HasMetadata> objects = Rendered.component(Examples.HOME, Names.NFS_SERVER);

    Deployment deployment = Rendered.find(objects, Deployment.class, Names.NFS_SERVER);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).isEqualTo(Placement.node("backup-1"));
    assertThat(pod.getTolerations()).isEmpty();
    assertThat(pod.getHostNetwork()).isNull();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getHostPath() != null).singleElement().satisfies(v -> {
      assertThat(v.getHostPath().getPath()).isEqualTo("/tank");
      assertThat(v.getHostPath().getType()).isEqualTo("Directory");
    });
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(pod.getContainers()).singleElement().satisfies(c -> {
      assertThat(c.getImage()).isEqualTo("docker.io/itsthenetwork/nfs-server-alpine:12");
      assertThat(c.getEnv()).anySatisfy(e -> {
        assertThat(e.getName()).isEqualTo("SHARED_DIRECTORY");
        assertThat(e.getValue()).isEqualTo(c.getVolumeMounts().get(0).getMountPath());
      });
    });
  }

  @Test
  void persistentVolumeNamesTheServiceByItsFixedClusterIpAndIsNeverDeleted() {
    List<HasMetadata> objects = Rendered.component(Examples.HOME, Names.NFS_SERVER);

    Service service = Rendered.find(objects, Service.class, Names.NFS_SERVER);
    PersistentVolume pv = Rendered.find(objects, PersistentVolume.class, Names.BACKUP_NFS_PV);
    PersistentVolumeClaim pvc = Rendered.find(objects, PersistentVolumeClaim.class, Names.BACKUP_NFS_PVC);
    // serviceCIDR 10.96.0.0/12: .1 is the apiserver's, .10 the DNS's by convention.
    assertThat(service.getSpec().getClusterIP()).isEqualTo("10.96.0.11");
    assertThat(pv.getSpec().getNfs().getServer()).isEqualTo("10.96.0.11");
    assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Retain");
    assertThat(pv.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    assertThat(pv.getSpec().getClaimRef().getNamespace()).isEqualTo(Names.BACKUP_NAMESPACE);
    assertThat(pv.getSpec().getClaimRef().getName()).isEqualTo(Names.BACKUP_NFS_PVC);
    assertThat(pvc.getSpec().getVolumeName()).isEqualTo(Names.BACKUP_NFS_PV);
    assertThat(pvc.getSpec().getStorageClassName()).isEmpty();
    assertThat(pvc.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(pv.getSpec().getCapacity().get("storage"));
  }

  @Test
  void clusterIpFollowsTheServiceNetwork() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getNetwork().setServiceCIDR("172.20.0.0/16");

    List<HasMetadata> objects = Rendered.component(cluster, Names.NFS_SERVER);

    assertThat(Rendered.find(objects, Service.class, Names.NFS_SERVER).getSpec().getClusterIP())
        .isEqualTo("172.20.0.11");
  }

  @Test
  void namespaceAllowsPrivilegedPods() {
    Namespace namespace =
        Rendered.find(Rendered.component(Examples.HOME, Names.NFS_SERVER), Namespace.class, Names.BACKUP_NAMESPACE);

    assertThat(namespace.getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
  }

  @Test
  void aBackupNodeThatIsADedicatedMasterIsTolerated() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getNodes().get(0).getRoles().add(Role.BACKUP);
    cluster.getSpec().getBackup().setNode("master-1");

    Deployment deployment =
        Rendered.find(Rendered.component(cluster, Names.NFS_SERVER), Deployment.class, Names.NFS_SERVER);

    assertThat(deployment.getSpec().getTemplate().getSpec().getTolerations())
        .isEqualTo(Placement.controlPlaneTolerations());
  }

  @Test
  void disabledWithoutBackups() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().setBackup(null);

    assertThat(component.enabled(RenderContext.of(cluster))).isFalse();
    assertThat(Rendered.component(cluster, Names.NFS_SERVER)).isEmpty();
  }

  /**
   * The documented cluster's export: the server sees each node as the first two addresses of its
   * pod subnet (kube-proxy masquerades the kubelet's traffic to the cluster IP), so those are the
   * only clients, for each of the 256 /24 subnets of 10.244.0.0/16; every client user is squashed.
   */
  @Test
  void exportsAdmitOnlyTheNodesAndSquashEveryUser() {
    List<HasMetadata> objects = Rendered.component(Examples.HOME, Names.NFS_SERVER);
    String exports = Rendered.find(objects, ConfigMap.class, NfsServer.CONFIG_MAP).getData().get("exports");

    List<String> entries = exportEntries(exports);
    assertThat(entries).hasSize(256).doesNotHaveDuplicates();
    assertThat(entries).allSatisfy(e -> assertThat(e).startsWith("/nfsshare "));
    List<String> clients = entries.stream().map(e -> e.substring(e.indexOf(' ') + 1, e.indexOf('('))).toList();
    assertThat(clients.subList(0, 3)).containsExactly("10.244.0.0/31", "10.244.1.0/31", "10.244.2.0/31");
    assertThat(clients).contains("10.244.255.0/31").allMatch(c -> c.matches("10\\.244\\.\\d{1,3}\\.0/31"));
    assertThat(entries)
        .allSatisfy(e -> assertThat(e.substring(e.indexOf('(') + 1, e.length() - 1).split(","))
            .contains("rw", "sync", "fsid=0", "all_squash", "anonuid=65533", "anongid=65533", "insecure")
            .doesNotContain("no_root_squash", "no_all_squash"));
    // Neither the home network, nor the whole pod network, nor any wildcard.
    assertThat(exports).doesNotContain("192.168.1.", "10.244.0.0/16", "*");

    Deployment deployment = Rendered.find(objects, Deployment.class, Names.NFS_SERVER);
    Container server = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(server.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/etc/exports");
      assertThat(m.getSubPath()).isEqualTo("exports");
      assertThat(m.getReadOnly()).isTrue();
    });
  }

  @Test
  void exportedSubnetsFollowThePodNetworkAndANewNetworkRollsTheServer() {
    HomeCluster cluster = Examples.load(Examples.HOME);
    cluster.getSpec().getNetwork().setPodCIDR("10.32.0.0/21"); // 8 node ranges for 7 machines

    List<HasMetadata> objects = Rendered.component(cluster, Names.NFS_SERVER);

    String exports = Rendered.find(objects, ConfigMap.class, NfsServer.CONFIG_MAP).getData().get("exports");
    assertThat(exportEntries(exports))
        .extracting(e -> e.substring(e.indexOf(' ') + 1, e.indexOf('(')))
        .containsExactly("10.32.0.0/31", "10.32.1.0/31", "10.32.2.0/31", "10.32.3.0/31",
            "10.32.4.0/31", "10.32.5.0/31", "10.32.6.0/31", "10.32.7.0/31");
    assertThat(podAnnotations(objects)).isNotEqualTo(podAnnotations(Rendered.component(Examples.HOME, Names.NFS_SERVER)));
  }

  @Test
  void theServerOwnsTheExportBeforeServingItWithoutPrivileges() {
    Deployment deployment =
        Rendered.find(Rendered.component(Examples.HOME, Names.NFS_SERVER), Deployment.class, Names.NFS_SERVER);

    assertThat(deployment.getSpec().getTemplate().getSpec().getInitContainers()).singleElement().satisfies(c -> {
      assertThat(c.getCommand()).endsWith("/nfsshare", "65533");
      assertThat(c.getSecurityContext().getPrivileged()).isNull();
      assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("CHOWN", "DAC_READ_SEARCH", "FOWNER");
    });
  }

  /**
   * The real exportfs (Debian's nfs-kernel-server) parses the rendered file, with the documented
   * cluster's export directory replaced by a temporary one, in a private mount namespace whose
   * /etc/exports is that file and /var/lib/nfs a tmpfs: no NFS server needs to run. The export
   * table it writes (etab) shows every option the kernel would apply, defaults included.
   */
  @Test
  void realExportfsAcceptsTheFileAndAppliesTheSquash(@TempDir Path tmp) throws Exception {
    Path exportfs = Path.of("/usr/sbin/exportfs");
    Assumptions.assumeTrue(Files.isExecutable(exportfs), "exportfs (Debian nfs-kernel-server) is not installed");
    Path shared = Files.createDirectories(tmp.resolve("nfsshare"));
    String exports = NfsExports.file(Examples.load(Examples.HOME).getSpec(), shared.toString());
    Path file = tmp.resolve("exports");
    Files.writeString(file, exports);
    Path output = tmp.resolve("exportfs.out");
    String script =
        "mount --bind \"$1\" /etc/exports && mount -t tmpfs tmpfs /var/lib/nfs && exportfs -ra && cat /var/lib/nfs/etab";
    Process process =
        new ProcessBuilder("unshare", "--mount", "sh", "-c", script, "sh", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    int rc = process.waitFor();
    String out = Files.readString(output);
    // unshare's own complaints start with its name: no private mount namespace on this machine.
    Assumptions.assumeFalse(rc != 0 && out.startsWith("unshare: "), out);

    assertThat(rc).as(out).isZero();
    // etab: one line per client with every option, defaults included.
    List<String> listed = out.lines().filter(l -> l.contains("10.244.")).toList();
    assertThat(listed).as(out).hasSize(256).allSatisfy(l -> assertThat(l)
        .contains("all_squash", "anonuid=65533", "anongid=65533", "rw", "sync", "fsid=0", "insecure")
        .doesNotContain("no_root_squash", "no_all_squash", ",secure,"));
    assertThat(out).doesNotContain("unknown keyword", "192.168.1.", "exportfs:");
  }

  private static List<String> exportEntries(String exports) {
    String joined = exports.lines().filter(l -> !l.startsWith("#")).map(String::strip).reduce("", (a, b) -> a + b);
    String[] tokens = joined.replace("\\", " ").trim().split("\\s+");
    List<String> entries = new java.util.ArrayList<>();
    for (int i = 1; i < tokens.length; i++) {
      entries.add(tokens[0] + " " + tokens[i]);
    }
    return entries;
  }

  private static java.util.Map<String, String> podAnnotations(List<HasMetadata> objects) {
    return Rendered.find(objects, Deployment.class, Names.NFS_SERVER).getSpec().getTemplate().getMetadata().getAnnotations();
  }

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches(
        "nfs-server/home.yaml", Manifests.toYaml(Rendered.component(Examples.HOME, Names.NFS_SERVER)));
  }
}
