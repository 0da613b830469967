/**
 * dml4j's own CPU kernels behind two layer configurations of the network definition
 * ({@link org.dml4j.model.GemmConvolution}, {@link org.dml4j.model.RegularizedBatchNorm}): BatchNorm
 * (with a fused ReLU) and the convolutions where DL4J's oneDNN calls were measured slower
 * (docs/PERFORMANCE.md), plus a summary of which platform helper each layer uses. Kept apart from
 * the network definition, as DL4J keeps its oneDNN helpers apart from its layers; other backends and
 * shapes fall back to DL4J's own layers.
 */
package org.dml4j.model.cpu;
