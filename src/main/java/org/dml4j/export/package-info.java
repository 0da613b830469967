/**
 * {@code dml4j export}: a checkpoint as files other programs load ({@link org.dml4j.export.Exporter}):
 * ONNX, a plain-DL4J model, the preprocessing they need and a test batch to check themselves with.
 */
package org.dml4j.export;
