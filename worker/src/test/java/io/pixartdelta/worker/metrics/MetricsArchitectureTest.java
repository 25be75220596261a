package io.pixartdelta.worker.metrics;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Micrometer stays in the metrics package and the wiring: the model and plumbing only offer hooks.
 */
class MetricsArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.pixartdelta");

  @Test
  void onlyTheMetricsPackageAndTheAppUseMicrometer() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.pixartdelta.pixart..",
            "io.pixartdelta.worker.kafka..",
            "io.pixartdelta.worker.render..",
            "io.pixartdelta.worker.storage..",
            "io.pixartdelta.worker.batch..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micrometer..", "io.prometheus..")
        .because("meters are mapped from the worker's own records in io.pixartdelta.worker.metrics")
        .check(MAIN);
  }
}
