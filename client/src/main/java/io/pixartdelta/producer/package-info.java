/**
 * Client library for the PixArt-δ render worker: submit {@link io.pixartdelta.schemas.RenderJob}s
 * to Kafka and get their terminal {@link io.pixartdelta.schemas.StatusEvent} back as a future.
 *
 * <p>Entry point: {@link io.pixartdelta.producer.RenderClient}. Exceptions say what to do next:
 * {@link io.pixartdelta.producer.RenderFailedException} (the job itself failed: fix it or give up),
 * {@link io.pixartdelta.producer.JobTimeoutException} (no terminal status in time: wait longer or
 * look it up later), {@link io.pixartdelta.producer.InfrastructureException} (Kafka or S3
 * unreachable: retry later).
 */
package io.pixartdelta.producer;
