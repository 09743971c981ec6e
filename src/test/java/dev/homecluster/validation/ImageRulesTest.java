package dev.homecluster.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.homecluster.api.v1alpha1.HomeCluster;
import dev.homecluster.api.v1alpha1.ImageReferences;
import dev.homecluster.render.RenderContext;
import dev.homecluster.render.Renderer;
import dev.homecluster.testing.Examples;
import dev.homecluster.yaml.Manifests;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images and versions that cannot be pulled are refused at their field; digest pins are accepted
 * everywhere an image can be set and reach the rendered pods unchanged.
 */
class ImageRulesTest {
  private static final String DIGEST =
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  private final HomeCluster home = Examples.load(Examples.HOME);

  private List<String> errors() {
    return new Validator().validate(home).errors().stream().map(Problem::toString).toList();
  }

  /** Every field that holds a whole image reference, and how to set it. */
  static Stream<Arguments> imageFields() {
    return Stream.of(
        Arguments.of(
            "spec.controlPlane.endpoint.keepalivedImage",
            (BiConsumer<HomeCluster, String>)
                (c, v) -> c.getSpec().getControlPlane().getEndpoint().setKeepalivedImage(v)),
        Arguments.of(
            "spec.controlPlane.endpoint.haproxyImage",
            (BiConsumer<HomeCluster, String>)
                (c, v) -> c.getSpec().getControlPlane().getEndpoint().setHaproxyImage(v)),
        Arguments.of(
            "spec.storage.ceph.image",
            (BiConsumer<HomeCluster, String>) (c, v) -> c.getSpec().getStorage().getCeph().setImage(v)),
        Arguments.of(
            "spec.backup.nfsImage",
            (BiConsumer<HomeCluster, String>) (c, v) -> c.getSpec().getBackup().setNfsImage(v)),
        Arguments.of(
            "spec.backup.rsync.image",
            (BiConsumer<HomeCluster, String>) (c, v) -> c.getSpec().getBackup().getRsync().setImage(v)),
        Arguments.of(
            "spec.backup.zfs.image",
            (BiConsumer<HomeCluster, String>) (c, v) -> c.getSpec().getBackup().getZfs().setImage(v)));
  }

  static Stream<Arguments> unpullable() {
    List<Arguments> cases = new ArrayList<>();
    for (String bad :
        List.of(
            "haproxy:3.2 ; id",
            "docker.io/library/haproxy:3.2 ",
            "docker.io/Library/HAProxy:3.2",
            "docker.io/library/haproxy@sha256:abc",
            "docker.io/library/haproxy:3.2@" + DIGEST.toUpperCase(),
            "docker.io/library/haproxy:-3.2",
            "docker.io/library/haproxy:3.2\nimage: evil",
            "https://docker.io/library/haproxy:3.2")) {
      imageFields().forEach(f -> cases.add(Arguments.of(f.get()[0], f.get()[1], bad)));
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("unpullable")
  void rejectsImagesThatCannotBePulledAtTheirField(
      String path, BiConsumer<HomeCluster, String> set, String image) {
    set.accept(home, image);

    assertThat(errors())
        .containsExactly(
            path
                + ": must be an image reference with a lowercase repository and an optional tag"
                + " and digest, such as docker.io/library/haproxy:3.2-alpine or"
                + " repo@sha256:<64 hex digits>, got \""
                + Text.shorten(image)
                + "\"");
  }

  @ParameterizedTest
  @MethodSource("imageFields")
  void acceptsDigestPinsWithAndWithoutATag(String path, BiConsumer<HomeCluster, String> set) {
    for (String pinned :
        List.of(
            "docker.io/library/haproxy@" + DIGEST,
            "docker.io/library/haproxy:3.2-alpine@" + DIGEST,
            "mirror.home.lan:5000/library/haproxy:3.2-alpine@" + DIGEST,
            "localhost/haproxy",
            "haproxy")) {
      set.accept(home, pinned);

      assertThat(errors()).as(path + " = " + pinned).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.6.4-0 ; id", "3.6.4-0 ", "", "3.6.4-0@sha256:abc", ":3.6.4", "v3.6/4"})
  void rejectsAnEtcdVersionThatIsNotATag(String version) {
    home.getSpec().getControlPlane().getEtcd().setVersion(version);

    assertThat(errors())
        .containsExactly(
            "spec.controlPlane.etcd.version: must be an image tag such as 3.6.4-0, optionally"
                + " pinned as 3.6.4-0@sha256:<64 hex digits>, got \""
                + version
                + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"registry.k8s.io/", "Registry.K8s.io/Mirror", "registry.k8s.io;id", "http://registry.k8s.io", "reg istry"})
  void rejectsAnImageRepositoryNamesCannotBeAppendedTo(String repository) {
    home.getSpec().setImageRepository(repository);

    assertThat(errors()).singleElement().asString().startsWith("spec.imageRepository: must be a registry");
  }

  @ParameterizedTest
  @ValueSource(strings = {"registry.k8s.io", "mirror.home.lan:5000/k8s", "localhost:5000", "ghcr.io/me/k8s"})
  void acceptsRegistriesAndMirrors(String repository) {
    home.getSpec().setImageRepository(repository);

    assertThat(errors()).isEmpty();
  }

  @Test
  void digestPinnedImagesRenderUnchangedIntoEveryPod() throws Exception {
    String keepalived = "docker.io/ednxzu/keepalived:2.3.4@" + DIGEST;
    String haproxy = "docker.io/library/haproxy@" + DIGEST;
    String ceph = "quay.io/ceph/ceph:v19.2.3@" + DIGEST;
    String nfs = "docker.io/itsthenetwork/nfs-server-alpine@" + DIGEST;
    String rsync = "docker.io/instrumentisto/rsync-ssh:alpine3.22@" + DIGEST;
    String zfs = "docker.io/library/debian:bookworm-slim@" + DIGEST;
    home.getSpec().getControlPlane().getEndpoint().setKeepalivedImage(keepalived);
    home.getSpec().getControlPlane().getEndpoint().setHaproxyImage(haproxy);
    home.getSpec().getStorage().getCeph().setImage(ceph);
    home.getSpec().getBackup().setNfsImage(nfs);
    home.getSpec().getBackup().getRsync().setImage(rsync);
    home.getSpec().getBackup().getZfs().setImage(zfs);
    home.getSpec().getControlPlane().getEtcd().setVersion("3.6.4-0@" + DIGEST);

    String yaml = Manifests.toYaml(new Renderer().render(RenderContext.of(home)).objects());

    List<String> images = new ArrayList<>();
    for (String document : yaml.split("(?m)^---$")) {
      if (!document.isBlank()) {
        JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(document);
        node.findValues("image").forEach(i -> images.add(i.asText()));
      }
    }
    assertThat(images)
        .contains(keepalived, haproxy, ceph, nfs, rsync, zfs)
        .contains("registry.k8s.io/etcd:3.6.4-0@" + DIGEST)
        .allSatisfy(i -> assertThat(i).matches(Pattern.compile(ImageReferences.REFERENCE)));
    // The etcd static pod's manifest travels as text in a ConfigMap: the pin must be in it too.
    assertThat(yaml).contains("image: registry.k8s.io/etcd:3.6.4-0@" + DIGEST);
  }
}
