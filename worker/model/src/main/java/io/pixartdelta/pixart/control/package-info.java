/**
 * Control images for PixArt-δ ControlNet jobs: safe decoding and the official resize/crop to a
 * resolution bin ({@link io.pixartdelta.pixart.control.ControlImagePreparer}), edge extraction
 * ({@link io.pixartdelta.pixart.control.HedDetector} on DJL, {@link
 * io.pixartdelta.pixart.control.CannyEdges} in Java) and the control latent ({@link
 * io.pixartdelta.pixart.control.ControlEncoder}).
 *
 * <p>Shape legend: B batch, H×W image (bin) size, h×w = H/8 × W/8 latent size, C channels.
 */
package io.pixartdelta.pixart.control;
