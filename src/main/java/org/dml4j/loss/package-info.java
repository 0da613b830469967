/** Losses and heads, one class per loss with its formula in the Javadoc. */
package org.dml4j.loss;
