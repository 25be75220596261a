/**
 * Load generation against a running worker: {@link io.pixartdelta.producer.load.LoadGenerator}
 * submits jobs through a {@link io.pixartdelta.producer.RenderClient} at a fixed rate or with a
 * bounded number in flight, and summarises outcomes and latencies in a {@link
 * io.pixartdelta.producer.load.LoadReport}.
 */
package io.pixartdelta.producer.load;
