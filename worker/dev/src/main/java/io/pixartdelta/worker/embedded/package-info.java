/**
 * A real single-node Kafka broker (KRaft) and a real S3-compatible server (S3Proxy) in the same
 * process, for the quick start ({@code worker run --embedded}) and the end-to-end tests.
 */
package io.pixartdelta.worker.embedded;
