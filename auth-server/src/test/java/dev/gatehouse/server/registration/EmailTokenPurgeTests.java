package dev.gatehouse.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.registration.EmailTokens.Purpose;
import dev.gatehouse.server.testsupport.H2Database;
import dev.gatehouse.server.users.JdbcUserStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

class EmailTokenPurgeTests {

    @Test
    void purgeWhenVerificationLinkExpiredUnusedThenRegistrationGoesAndOtherAccountsStay() {
        JdbcTemplate jdbc = H2Database.migrated("email-purge").jdbc();
        JdbcUserStore users = new JdbcUserStore(jdbc);
        Instant start = Instant.parse("2026-12-07T02:00:00Z");
        EmailTokens issuing = new EmailTokens(jdbc, Clock.fixed(start, ZoneOffset.UTC), new SecureRandom());
        String pending = users.createWithEmail("pending@example.com", "x", "pending@example.com", false);
        String verified = users.createWithEmail("verified@example.com", "x", "verified@example.com", false);
        users.verifyRegistration(verified);
        String open = users.createWithEmail("open@example.com", "x", "open@example.com", true);
        String fresh = users.createWithEmail("fresh@example.com", "x", "fresh@example.com", false);
        users.create("operator-made", "x", List.of());
        for (String user : List.of(pending, verified, open)) {
            issuing.issue(Purpose.VERIFY, user, null, Duration.ofHours(24));
        }
        issuing.issue(Purpose.RESET, "operator-made", null, Duration.ofMinutes(15));
        Clock later = Clock.fixed(start.plus(Duration.ofHours(25)), ZoneOffset.UTC);
        issuing = new EmailTokens(jdbc, later, new SecureRandom());
        issuing.issue(Purpose.VERIFY, fresh, null, Duration.ofHours(24));

        int purged = new EmailTokenPurge(issuing, users, later).purge();

        // The pending registration's link went with its user (ON DELETE CASCADE); the purge deleted the other three.
        assertThat(purged).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_email_token", Integer.class))
                .isEqualTo(1);
        assertThat(users.emailAccount(pending)).isEmpty();
        assertThat(users.emailAccount(verified)).isPresent();
        assertThat(users.emailAccount(open)).isPresent();
        assertThat(users.emailAccount(fresh)).isPresent();
        assertThat(users.account("operator-made")).isPresent();
        assertThat(issuing.count(fresh)).isEqualTo(1);
    }
}
