package dev.homecluster.render.storage;

import dev.homecluster.api.v1alpha1.CephSpec;
import dev.homecluster.render.Component;
import dev.homecluster.render.Names;
import dev.homecluster.render.RenderContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * Ceph through Rook: the CephCluster, the CephFilesystem and its StorageClass, and, when backups
 * are on, the read-only view of the filesystem that the backup rsync copies.
 *
 * <p>Rook itself (its operator and CRDs) is installed by the user. When its CRDs are missing the
 * operator skips this component, reports why, and reconciles everything else.
 */
public final class CephStorage implements Component {
  public static final String CEPH_CLUSTER_API =
      CephClusterResource.API_VERSION + "/" + CephClusterResource.KIND;
  public static final String CEPH_FILESYSTEM_API =
      CephClusterResource.API_VERSION + "/" + CephFilesystemResource.KIND;
  public static final String CEPH_CLIENT_API =
      CephClusterResource.API_VERSION + "/" + CephFsBackupSource.CLIENT_KIND;

  @Override
  public String name() {
    return Names.CEPH;
  }

  @Override
  public boolean enabled(RenderContext ctx) {
    CephSpec ceph = ctx.spec().getStorage() == null ? null : ctx.spec().getStorage().getCeph();
    return ceph != null && Boolean.TRUE.equals(ceph.getEnabled());
  }

  @Override
  public List<String> requiredApis() {
    return List.of(CEPH_CLUSTER_API, CEPH_FILESYSTEM_API, CEPH_CLIENT_API);
  }

  @Override
  public List<HasMetadata> render(RenderContext ctx) {
    CephSpec ceph = ctx.spec().getStorage().getCeph();
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(CephFsStorageClass.build(ceph));
    objects.add(CephClusterResource.build(ctx.spec()));
    objects.add(CephFilesystemResource.build(ctx.spec()));
    if (ctx.spec().getBackup() != null) {
      objects.addAll(CephFsBackupSource.build(ceph));
    }
    return objects;
  }
}
