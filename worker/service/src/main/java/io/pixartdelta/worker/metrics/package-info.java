/**
 * Prometheus metrics of the worker (Micrometer): job outcomes, batch sizes, stage latencies, queue,
 * partition, commit, S3 breaker/retry, Kafka client and JVM meters. {@link
 * io.pixartdelta.worker.metrics.WorkerMetrics} owns the names and the mapping from the worker's own
 * records (status events, render outcomes); the other worker packages and the model library stay
 * free of Micrometer and only offer plain accessors and callbacks.
 */
package io.pixartdelta.worker.metrics;
