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
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

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
    assertThat(pod.getVolumes()).singleElement().satisfies(v -> {
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

  @Test
  void matchesGoldenYamlForTheDocumentedCluster() {
    Golden.assertMatches(
        "nfs-server/home.yaml", Manifests.toYaml(Rendered.component(Examples.HOME, Names.NFS_SERVER)));
  }
}
