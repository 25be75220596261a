/**
 * The PixArt-δ model on DJL: weights, tokenizer, T5, transformer, VAE, schedulers and the pipeline.
 *
 * <p>Imports only DJL and the JDK; a test enforces that no Kafka or AWS class leaks in.
 */
package io.pixartdelta.pixart;
