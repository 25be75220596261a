/**
 * The {@code pixart-producer} command line: {@code submit}, {@code status}, {@code watch} and
 * {@code loadgen}, built on {@link io.pixartdelta.producer.RenderClient}. Exit codes are listed in
 * {@link io.pixartdelta.producer.cli.ExitCodes}.
 */
package io.pixartdelta.producer.cli;
