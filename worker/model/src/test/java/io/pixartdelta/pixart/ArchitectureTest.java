package io.pixartdelta;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model is a library: it knows nothing of queues, buckets or the service around it; metrics
 * stay in the service's metrics package and wiring.
 */
class ArchitectureTest {
  private static JavaClasses mainClasses;

  @BeforeAll
  static void importClasses() {
    mainClasses =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.pixartdelta");
  }

  @Test
  void modelImportsNoKafkaNoAwsNoService() {
    noClasses()
        .that()
        .resideInAPackage("io.pixartdelta.pixart..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "software.amazon..",
            "org.gaul..",
            "io.github.resilience4j..",
            "io.pixartdelta.worker..",
            "io.pixartdelta.schemas..",
            "io.pixartdelta.producer..")
        .because("the model library must stay usable without Kafka or AWS on the classpath")
        .check(mainClasses);
  }

  @Test
  void schedulersArePureMath() {
    noClasses()
        .that()
        .resideInAPackage("io.pixartdelta.pixart.schedulers..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.pixartdelta.pixart.transformer..",
            "io.pixartdelta.pixart.text..",
            "io.pixartdelta.pixart.vae..",
            "io.pixartdelta.pixart.pipeline..")
        .because("a scheduler is pure math behind setTimesteps/step")
        .check(mainClasses);
  }

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
        .check(mainClasses);
  }
}
