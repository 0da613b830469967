/**
 * The eval, infer and search commands' work around the cores: which model the flags mean, the
 * files they read and write (.npy, labels, an index), and the console table, JSON and HTML report.
 */
package org.dml4j.eval;
