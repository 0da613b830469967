/**
 * The data path: SOP-style list files, image decoding and preprocessing (OpenCV, as the original),
 * seeded sample streams and the prefetching batch loader.
 */
package org.dml4j.data;
