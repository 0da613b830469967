/** Retrieval metrics: exact kNN, Recall@K, MAP@R. */
package org.dml4j.eval;
