/**
 * Retrieval evaluation independent of files and consoles: the one rule for embeddings
 * ({@link org.dml4j.retrieval.Embeddings}), exact nearest neighbours by blocked matrix products,
 * and the metrics of queries against references ({@link org.dml4j.retrieval.RetrievalEvaluator}).
 */
package org.dml4j.retrieval;
