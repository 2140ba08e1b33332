package dev.gatehouse.examples.cluster;

import java.time.Duration;

/**
 * Waits, bounded, for a condition that other processes make true (a node's poll, the audit writer, a database
 * restart): it asks every 200 ms until the condition holds or the bound has passed, and asks once more at the end.
 * The caller asserts on the result, so a slow machine makes a test wait longer, never pass wrongly.
 */
final class Await {

    private static final long PAUSE_MILLIS = 200;

    /** A condition that may have to reach another process to answer. */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {}

    /**
     * Asks {@code condition} until it holds or {@code bound} has passed.
     *
     * @param bound the longest wait
     * @param condition what to wait for
     * @return whether the condition held
     * @throws Exception what the condition threw
     */
    static boolean until(Duration bound, Condition condition) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return true;
            }
            Thread.sleep(PAUSE_MILLIS);
        }
        return condition.holds();
    }
}
