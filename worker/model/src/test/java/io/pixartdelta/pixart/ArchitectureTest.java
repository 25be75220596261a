package io.pixartdelta.pixart;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model is a library: it knows nothing of queues, buckets or the service around it; metrics
 * stay in the service. An allow-list, so that a new dependency is a decision taken here.
 */
class ArchitectureTest {
  private static JavaClasses mainClasses;

  @BeforeAll
  static void importClasses() {
    mainClasses =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.pixartdelta.pixart");
  }

  /** The JDK, DJL, Jackson (the model's config files) and the model itself, plus {@code more}. */
  private static String[] modelAllowedAnd(String... more) {
    Stream<String> model =
        Stream.of(
            "java..",
            "javax.imageio..",
            "org.w3c.dom..", // the JDK's DOM, for ImageIO metadata trees
            "ai.djl..",
            "com.fasterxml.jackson..",
            "io.pixartdelta.pixart..");
    return Stream.concat(model, Stream.of(more)).toArray(String[]::new);
  }

  @Test
  void modelImportsOnlyTheJdkDjlJacksonAndItself() {
    classes()
        .that()
        .resideOutsideOfPackage("io.pixartdelta.pixart.cli..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(modelAllowedAnd())
        .because("the model library must stay usable without Kafka or AWS on the classpath")
        .check(mainClasses);
  }

  @Test
  void onlyTheCliAddsPicocliAndLogging() {
    classes()
        .that()
        .resideInAPackage("io.pixartdelta.pixart.cli..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(modelAllowedAnd("picocli..", "org.slf4j.."))
        .because("the command line is the model's only application code")
        .check(mainClasses);
  }

  @Test
  void thePipelineIsTheTopLayerOnlyTheCliUses() {
    noClasses()
        .that()
        .resideInAPackage("io.pixartdelta.pixart..")
        .and()
        .resideOutsideOfPackages("io.pixartdelta.pixart.pipeline..", "io.pixartdelta.pixart.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.pixartdelta.pixart.pipeline..")
        .because("the pipeline assembles the components, which must not reach back up into it")
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
}
