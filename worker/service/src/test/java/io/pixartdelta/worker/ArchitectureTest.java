package io.pixartdelta.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption.Predefined;
import org.junit.jupiter.api.Test;

/** Metrics stay in the service's metrics package and wiring. */
class ArchitectureTest {
  @Test
  void onlyTheMetricsPackageAndTheAppUseMicrometer() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.pixartdelta.worker.kafka..",
            "io.pixartdelta.worker.render..",
            "io.pixartdelta.worker.storage..",
            "io.pixartdelta.worker.batch..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micrometer..", "io.prometheus..")
        .because("meters are mapped from the worker's own records in io.pixartdelta.worker.metrics")
        .check(
            new ClassFileImporter()
                .withImportOption(Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.pixartdelta.worker"));
  }
}
