/**
 * The worker process: {@link io.pixartdelta.worker.app.WorkerOptions} (validated settings from
 * file, environment and flags), {@link io.pixartdelta.worker.app.Worker} (wiring and lifecycle) and
 * {@link io.pixartdelta.worker.app.WorkerMain} (the command line; the quick-start jar extends it
 * through {@link io.pixartdelta.worker.app.RunExtension}).
 */
package io.pixartdelta.worker.app;
