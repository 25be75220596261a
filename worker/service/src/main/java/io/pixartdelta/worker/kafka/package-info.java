/**
 * Kafka plumbing: the consumer loop (one thread owns the consumer, keeps polling while paused,
 * commits only completed prefixes), the offset tracker, the status and dead-letter publishers and
 * the dispatcher that turns records into jobs.
 */
package io.pixartdelta.worker.kafka;
