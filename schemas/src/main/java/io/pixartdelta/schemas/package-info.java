/**
 * The wire contract between producers and render workers: render jobs and status events.
 *
 * <p>The JSON Schema files under {@code schemas/} on the classpath ({@code
 * render-job.v1.schema.json}, {@code render-status.v1.schema.json}) are the source of truth. {@link
 * io.pixartdelta.schemas.RenderJob} and {@link io.pixartdelta.schemas.StatusEvent} mirror them and
 * validate in their constructors; {@link io.pixartdelta.schemas.JsonCodec} reads (validating
 * against the schema files) and writes them; failures carry the stable codes of {@link
 * io.pixartdelta.schemas.ErrorCodes}. This package depends only on the JDK, Jackson and the JSON
 * Schema validator.
 */
package io.pixartdelta.schemas;
