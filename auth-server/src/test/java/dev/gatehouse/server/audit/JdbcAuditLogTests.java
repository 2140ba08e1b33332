package dev.gatehouse.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * The writer's failure handling: overflow, storage failures and shutdown never lose an event silently. The audit
 * lines are read as logging events (marker and message), not as console text, whose layout depends on which test
 * configured logging first in the JVM.
 */
class JdbcAuditLogTests {

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void captureAuditLines() {
        lines.start();
        ((Logger) LoggerFactory.getLogger(AuditLogLines.LOGGER)).addAppender(lines);
    }

    @AfterEach
    void releaseAuditLines() {
        ((Logger) LoggerFactory.getLogger(AuditLogLines.LOGGER)).detachAppender(lines);
    }

    /** Each audit line: its markers, then its message. */
    private String output() {
        StringBuilder out = new StringBuilder();
        synchronized (lines) {
            for (ILoggingEvent e : List.copyOf(lines.list)) {
                if (e.getMarkerList() != null) {
                    e.getMarkerList().forEach(m -> out.append(m.getName()).append(' '));
                }
                out.append(e.getFormattedMessage()).append('\n');
            }
        }
        return out.toString();
    }

    private static AuditEvent event(int i) {
        return new AuditEvent("test.event", AuditEvent.SUCCESS, "actor", null, Map.of("i", Integer.toString(i)));
    }

    @Test
    void recordWhenQueueFullThenOverflowLoggedAndCountedAndCallerUnaffected() throws Exception {
        AuditChain chain = mock(AuditChain.class);
        CountDownLatch writerBusy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger stored = new AtomicInteger();
        doAnswer(call -> {
                    writerBusy.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    stored.addAndGet(((List<?>) call.getArgument(0)).size());
                    return List.of();
                })
                .when(chain)
                .append(anyList());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JdbcAuditLog log = JdbcAuditLog.builder()
                .chain(chain)
                .properties(new AuditProperties(2, 10, Duration.ZERO, Duration.ofHours(1), Duration.ofSeconds(5)))
                .meterRegistry(registry)
                .build()) {
            log.record(event(0));
            assertThat(writerBusy.await(5, TimeUnit.SECONDS)).isTrue(); // the writer holds event 0
            for (int i = 1; i <= 5; i++) {
                log.record(event(i)); // 1 and 2 fit the queue, 3..5 overflow
            }
            assertThat(registry.get("gatehouse.audit.overflow").counter().count())
                    .isEqualTo(3);
            assertThat(registry.get("gatehouse.audit.queue.size").gauge().value())
                    .isEqualTo(2);
            release.countDown();
            assertThat(log.flush(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(stored).hasValue(3);
        assertThat(output()).contains("AUDIT_OVERFLOW").contains("audit queue full");
    }

    @Test
    void recordWhenStoringFailsThenEachEventLoggedAsNotStoredAndCounted() {
        AuditChain chain = mock(AuditChain.class);
        doThrow(new DataAccessResourceFailureException("database down"))
                .when(chain)
                .append(anyList());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JdbcAuditLog log =
                JdbcAuditLog.builder().chain(chain).meterRegistry(registry).build()) {
            log.record(event(1));
            log.record(event(2));
            assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(registry.get("gatehouse.audit.store.failures").counter().count())
                .isEqualTo(2);
        assertThat(output())
                .contains("AUDIT_NOT_STORED")
                .contains("details=\"{\\\"i\\\":\\\"1\\\"}\"")
                .contains("details=\"{\\\"i\\\":\\\"2\\\"}\"");
    }

    @Test
    void closeWhenEventsQueuedThenStoresThemAndLaterEventsAreLoggedAsNotStored() {
        AuditChain chain = mock(AuditChain.class);
        AtomicInteger stored = new AtomicInteger();
        doAnswer(call -> {
                    stored.addAndGet(((List<?>) call.getArgument(0)).size());
                    return List.of();
                })
                .when(chain)
                .append(anyList());
        JdbcAuditLog log = JdbcAuditLog.builder().chain(chain).build();
        for (int i = 0; i < 100; i++) {
            log.record(event(i));
        }
        log.close();
        assertThat(stored).hasValue(100);
        log.record(event(101));
        assertThat(output()).contains("audit log closed").contains("details=\"{\\\"i\\\":\\\"101\\\"}\"");
    }
}
