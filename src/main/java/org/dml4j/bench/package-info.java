/**
 * Benchmarks that print figures (never run by the tests for their timings): the data loader, the
 * pre-scan, training and inference steps of a backbone with a per-layer profile, and the exact
 * neighbour search at SOP scale.
 */
package org.dml4j.bench;
