/**
 * Where rendered images go and control images come from: an {@link
 * io.pixartdelta.worker.storage.ObjectStore} with an S3 implementation (AWS SDK v2, retries with
 * jitter and a circuit breaker), deterministic object keys and a bucket allow-list.
 */
package io.pixartdelta.worker.storage;
