/**
 * From the VAE's output tensor to image bytes: resize back from the trained bin to the requested
 * size, conversion to 8-bit RGB, and PNG/JPEG encoding.
 */
package io.pixartdelta.pixart.image;
