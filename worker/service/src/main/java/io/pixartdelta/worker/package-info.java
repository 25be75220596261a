/**
 * The render worker service around the PixArt-δ model: Kafka intake, micro-batching, rendering, S3
 * upload and status events.
 *
 * <p>Packages: {@code .app} (options, main), {@code .kafka} (consumer loop, offsets, publishers),
 * {@code .batch} (micro-batcher), {@code .render} (render service and the renderer seam), {@code
 * .storage} (object store) and {@code .embedded} (in-process Kafka and S3 for the quick start and
 * the tests).
 */
package io.pixartdelta.worker;
