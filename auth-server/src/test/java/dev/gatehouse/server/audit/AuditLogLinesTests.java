package dev.gatehouse.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The plain-text audit line: every value quoted, so no value can add, end or imitate a field (issue #13 item 19). */
class AuditLogLinesTests {

    /** A reader of the line: {@code key=-} or {@code key="..."} with backslash escapes. */
    private static final Pattern FIELD = Pattern.compile(" ([a-z_]+)=(-|\"(?:[^\"\\\\]|\\\\.)*\")");

    @Test
    void lineWhenActorImitatesFieldsThenItStaysOneQuotedValue() {
        String actor = "bob outcome=success ip=1.2.3.4";
        String line = AuditLogLines.line(event(actor, Map.of("address", "10.0.0.1")));

        assertThat(line).contains(" actor=\"bob outcome=success ip=1.2.3.4\" ");
        assertThat(fields(line)).containsExactly("type", "outcome", "actor", "subject", "details", "correlation_id");
    }

    @Test
    void lineWhenActorHoldsQuotesNewlinesAndEscapesThenEscapedOnOneLine() {
        String actor = "bob\" outcome=\"success\nINFO audit type=\"signin.success\" \u001b[31m\\ \u2028";
        String line = AuditLogLines.line(event(actor, Map.of("reason", "a\"b\r\nc")));

        assertThat(line)
                .doesNotContain("\n")
                .doesNotContain("\r")
                .doesNotContain("\u001b")
                .doesNotContain("\u2028");
        assertThat(line)
                .contains(" actor=\"bob\\\" outcome=\\\"success\\u000aINFO audit type=\\\"signin.success\\\""
                        + " \\u001b[31m\\\\ \\u2028\" ");
        assertThat(fields(line)).containsExactly("type", "outcome", "actor", "subject", "details", "correlation_id");
    }

    @Test
    void lineWhenValueAbsentThenDash() {
        String line = AuditLogLines.line(RecordedEvent.of(
                new AuditEvent("token.issue", AuditEvent.SUCCESS, null, null, Map.of()), Instant.EPOCH, null));

        assertThat(line)
                .isEqualTo("audit type=\"token.issue\" outcome=\"success\" actor=- subject=- details=\"{}\""
                        + " correlation_id=-");
    }

    private static RecordedEvent event(String actor, Map<String, String> details) {
        return RecordedEvent.of(
                new AuditEvent("signin.failure", AuditEvent.FAILURE, actor, null, new LinkedHashMap<>(details)),
                Instant.EPOCH,
                "c-1");
    }

    private static List<String> fields(String line) {
        assertThat(line).startsWith("audit");
        Matcher m = FIELD.matcher(line.substring("audit".length()));
        List<String> keys = new java.util.ArrayList<>();
        int end = 0;
        while (m.find()) {
            assertThat(m.start()).as("fields are contiguous: " + line).isEqualTo(end);
            keys.add(m.group(1));
            end = m.end();
        }
        assertThat(end).as("the whole line is fields: " + line).isEqualTo(line.length() - "audit".length());
        return keys;
    }
}
