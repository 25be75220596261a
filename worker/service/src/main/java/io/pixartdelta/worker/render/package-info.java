/**
 * The render stage: {@link io.pixartdelta.worker.render.RenderService} takes accepted jobs through
 * micro-batching, the {@link io.pixartdelta.worker.render.Renderer} (the seam to the PixArt-δ
 * pipeline), image encoding, upload and status events.
 */
package io.pixartdelta.worker.render;
