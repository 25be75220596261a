/**
 * The quick-start jar's additions to the worker's command line: {@code run --embedded --demo N}
 * ({@link io.pixartdelta.worker.dev.EmbeddedRun}, {@link io.pixartdelta.worker.dev.DemoJobs}) and
 * {@code bench --mode e2e} ({@link io.pixartdelta.worker.dev.E2eBench}).
 */
package io.pixartdelta.worker.dev;
