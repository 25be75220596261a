/**
 * The worker process: {@link io.pixartdelta.worker.app.WorkerOptions} (validated settings from
 * file, environment and flags), {@link io.pixartdelta.worker.app.Worker} (wiring and lifecycle) and
 * {@link io.pixartdelta.worker.app.WorkerMain} (the command line, with the embedded quick start).
 */
package io.pixartdelta.worker.app;
