package dev.homecluster.render.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.NodeSpec;
import dev.homecluster.render.RenderContext;
import dev.homecluster.testing.Examples;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdStaticPodTest {
  private final HomeCluster home = Examples.load(Examples.HOME);
  private final List<NodeSpec> masters = RenderContext.of(home).masters();

  private Container etcd(NodeSpec member) {
    Pod pod = EtcdStaticPod.forMember(home.getSpec(), "home", member, masters, "");
    return pod.getSpec().getContainers().get(0);
  }

  @Test
  void etcdManifestListsEveryMaster() {
    for (NodeSpec member : masters) {
      assertThat(etcd(member).getCommand())
          .contains(
              "--initial-cluster=master-1=https://192.168.1.111:2380,"
                  + "master-2=https://192.168.1.112:2380,master-3=https://192.168.1.113:2380",
              "--initial-cluster-state=new");
    }
  }

  @Test
  void eachMemberAdvertisesAndListensOnItsOwnAddress() {
    assertThat(etcd(masters.get(1)).getCommand())
        .contains(
            "--name=master-2",
            "--advertise-client-urls=https://192.168.1.112:2379",
            "--listen-client-urls=https://127.0.0.1:2379,https://192.168.1.112:2379",
            "--listen-peer-urls=https://192.168.1.112:2380",
            "--initial-advertise-peer-urls=https://192.168.1.112:2380");
  }

  @Test
  void requiresClientCertificatesEverywhereAndNeverAutoTls() {
    List<String> command = etcd(masters.get(0)).getCommand();

    assertThat(command)
        .contains(
            "--client-cert-auth=true",
            "--peer-client-cert-auth=true",
            "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
            "--key-file=/etc/kubernetes/pki/etcd/server.key",
            "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
            "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
            "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
            "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt");
    assertThat(command).noneMatch(flag -> flag.contains("auto-tls"));
    assertThat(command)
        .filteredOn(flag -> flag.contains("-urls=") && !flag.startsWith("--listen-metrics-urls="))
        .hasSize(4)
        .allSatisfy(flag -> assertThat(flag).doesNotContain("http://"));
  }

  @Test
  void exposesMetricsAndHealthOnLocalhostOnly() {
    Container etcd = etcd(masters.get(0));

    assertThat(etcd.getCommand()).contains("--listen-metrics-urls=http://127.0.0.1:2381");
    assertThat(etcd.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(etcd.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(List.of(etcd.getLivenessProbe(), etcd.getReadinessProbe(), etcd.getStartupProbe()))
        .allSatisfy(p -> {
          assertThat(p.getHttpGet().getHost()).isEqualTo("127.0.0.1");
          assertThat(p.getHttpGet().getPort().getIntVal()).isEqualTo(2381);
        });
  }

  @Test
  void keepsItsDataOnTheHostAtTheSpecsDataDir() {
    home.getSpec().getControlPlane().getEtcd().setDataDir("/srv/etcd");

    Pod pod = EtcdStaticPod.forMember(home.getSpec(), "home", masters.get(0), masters, "");

    assertThat(pod.getSpec().getHostNetwork()).isTrue();
    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(pod.getSpec().getContainers().get(0).getCommand()).contains("--data-dir=/srv/etcd", "--snapshot-count=10000");
    assertThat(pod.getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/srv/etcd"))
        .anySatisfy(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/etc/kubernetes/pki/etcd"));
  }

  @Test
  void usesTheEtcdImageFromTheImageRepository() {
    home.getSpec().setImageRepository("mirror.home.lan/k8s");

    Pod pod = EtcdStaticPod.forMember(home.getSpec(), "home", masters.get(0), masters, "");

    assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("mirror.home.lan/k8s/etcd:3.6.4-0");
  }

  @Test
  void bracketsIpv6AddressesInUrls() {
    masters.get(0).setAddress("fd00::11");

    assertThat(etcd(masters.get(0)).getCommand())
        .contains("--advertise-client-urls=https://[fd00::11]:2379", "--listen-peer-urls=https://[fd00::11]:2380");
  }

  @Test
  void usesTheFlagNamesOfTheEtcdVersion() {
    assertThat(etcd(masters.get(0)).getCommand())
        .contains("--feature-gates=InitialCorruptCheck=true", "--watch-progress-notify-interval=5s");
    home.getSpec().getControlPlane().getEtcd().setVersion("3.5.21-0");

    assertThat(etcd(masters.get(0)).getCommand())
        .contains("--experimental-initial-corrupt-check=true", "--experimental-watch-progress-notify-interval=5s")
        .noneMatch(f -> f.startsWith("--feature-gates"));
  }
}
