/**
 * The inference core: a trained network as a function from images to embeddings
 * ({@link org.dml4j.inference.EmbeddingModel}), loaded from a checkpoint path or bytes, fed image
 * batches, decoded images or an image list; no files written, nothing printed. eval, infer, search
 * and the trainer's periodic test all embed through it.
 */
package org.dml4j.inference;
