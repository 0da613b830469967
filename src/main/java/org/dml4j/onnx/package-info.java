/**
 * ONNX, written and run: an inference network as an ONNX model ({@link org.dml4j.onnx.OnnxModel},
 * with the protobuf classes nd4j-api ships) and a session of ONNX Runtime over one
 * ({@link org.dml4j.onnx.OnnxSession}). Depends on the data and model packages only.
 */
package org.dml4j.onnx;
