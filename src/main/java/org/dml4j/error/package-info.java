/**
 * What can go wrong, by whose fix it is: {@link org.dml4j.error.UsageException} (a flag),
 * {@link org.dml4j.error.DataException} (an input file) and
 * {@link org.dml4j.error.ModelMismatchException} (a model that does not fit the flags). Any other
 * exception is a failure of dml4j or of the machine. The command line maps each to an exit code.
 */
package org.dml4j.error;

import org.dml4j.error.ModelMismatchException;
import org.dml4j.error.UsageException;
