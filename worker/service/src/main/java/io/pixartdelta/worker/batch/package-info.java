/**
 * Micro-batching: jobs that can share one forward pass (same {@link
 * io.pixartdelta.worker.batch.ShapeKey}) are grouped until the batch is full or its oldest job has
 * waited long enough. Time comes from an injected {@link java.time.Clock}.
 */
package io.pixartdelta.worker.batch;
