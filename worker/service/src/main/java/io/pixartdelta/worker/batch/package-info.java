/**
 * Micro-batching: jobs that can share one pipeline call (same {@link
 * io.pixartdelta.worker.batch.BatchKey}) are grouped until the batch is full or its oldest job has
 * waited long enough. Time comes from an injected {@link java.time.Clock}.
 */
package io.pixartdelta.worker.batch;
