/**
 * Jobs beyond one machine on Apache Spark (docs/SCALE.md): {@link org.dml4j.spark.SparkInfer}
 * embeds an image list on the executors into a Parquet dataset, {@link org.dml4j.spark.SparkEval}
 * evaluates such a dataset with exact retrieval (query blocks against gallery partitions). Plain
 * Spark around dml4j's inference core ({@link org.dml4j.inference.EmbeddingModel}) and retrieval
 * metrics ({@link org.dml4j.retrieval}); Spark is a provided dependency.
 */
package org.dml4j.spark;
