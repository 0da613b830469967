/** picocli commands: they parse flags, build configurations and delegate. */
package org.dml4j.cli;
