/** The one trainer behind train-elem and train-pair, its configuration and schedules. */
package org.dml4j.train;
