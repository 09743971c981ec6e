package dev.homecluster.sim;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class against the one test cluster of this test run (see {@link
 * SimulatedClusterExtension}): by default the simulated cluster, with the documented example's
 * seven fake nodes Ready and the CRDs of crds/ installed; with {@code -Dhomecluster.it.cluster=k3s}
 * a k3s container. Test methods may take a {@link io.fabric8.kubernetes.client.KubernetesClient}
 * (bound to a fresh namespace, deleted after the test), the {@link
 * io.fabric8.kubernetes.api.model.Namespace} itself, or the {@link TestCluster}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SimulatedClusterExtension.class)
@Tag("integration")
public @interface SimulatedClusterTest {
  /**
   * Install the real Rook CRDs from ../shared/reference/rook/crds.yaml too; the class is skipped
   * (with that reason) when the file is absent.
   */
  boolean rookCrds() default false;
}
