/** Backbones, heads, checkpoints and weight import. */
package org.dml4j.model;
