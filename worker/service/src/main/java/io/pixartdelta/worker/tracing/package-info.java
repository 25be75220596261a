/**
 * W3C trace context carried from job records to status events, and per-stage spans through the
 * OpenTelemetry API (no-ops unless an SDK or the Java agent is installed).
 */
package io.pixartdelta.worker.tracing;
