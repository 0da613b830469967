/** Formulas on ND4J matrices that several packages share, written once (depends on ND4J only). */
package org.dml4j.math;
