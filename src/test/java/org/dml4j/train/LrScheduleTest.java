package org.dml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dml4j.error.UsageException;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
    @Test
    void piecewiseDecayAsTheOriginal() {
        LrSchedule s = LrSchedule.parse(0.01, "piecewise_decay", "15000,25000");
        assertEquals(0.01, s.lrAt(0), 1e-15);
        assertEquals(0.01, s.lrAt(14999), 1e-15);
        assertEquals(0.001, s.lrAt(15000), 1e-15);
        assertEquals(0.001, s.lrAt(24999), 1e-15);
        assertEquals(0.0001, s.lrAt(25000), 1e-15);
        LrSchedule pair = LrSchedule.parse(1e-4, "piecewise_decay", "100000");
        assertEquals(1e-4, pair.lrAt(99999), 1e-18);
        assertEquals(1e-5, pair.lrAt(100000), 1e-18);
        assertEquals(0.5, LrSchedule.parse(0.5, "piecewise_decay", "").lrAt(1_000_000), 0);
    }

    @Test
    void badValuesNameTheFlag() {
        assertThrows(UsageException.class, () -> LrSchedule.parse(0.0, "piecewise_decay", "1"));
        assertThrows(UsageException.class, () -> LrSchedule.parse(0.1, "piecewise_decay", "5,5"));
        assertThrows(UsageException.class, () -> LrSchedule.parse(0.1, "piecewise_decay", "-1"));
        assertThrows(UsageException.class, () -> LrSchedule.parse(0.1, "exponential", "1"));
    }
}
