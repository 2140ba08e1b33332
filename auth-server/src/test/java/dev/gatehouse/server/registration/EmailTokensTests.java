package dev.gatehouse.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.registration.EmailTokens.Purpose;
import dev.gatehouse.server.testsupport.H2Database;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

class EmailTokensTests {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T02:00:00Z"));
    private JdbcTemplate jdbc;
    private EmailTokens tokens;

    @BeforeEach
    void setUp() {
        jdbc = H2Database.migrated("email-tokens").jdbc();
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('ada', 'x'), ('bob', 'x')");
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                return now.get();
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        tokens = new EmailTokens(jdbc, clock, new SecureRandom());
    }

    @Test
    void issueWhenCalledThenOnlyTheSha256OfA256BitTokenIsStored() {
        String token = tokens.issue(Purpose.RESET, "ada", null, Duration.ofMinutes(15));
        assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
        List<String> stored = jdbc.queryForList("SELECT token_hash FROM gh_email_token", String.class);
        assertThat(stored).containsExactly(EmailTokens.hash(token)).doesNotContain(token);
    }

    @Test
    void redeemWhenUsedTwiceThenSecondIsUnknown() {
        String token = tokens.issue(Purpose.VERIFY, "ada", null, Duration.ofHours(1));
        assertThat(tokens.check(Purpose.VERIFY, token)).isEqualTo(new EmailTokens.Redeemed("ada", null));
        assertThat(tokens.redeem(Purpose.VERIFY, token)).isEqualTo(new EmailTokens.Redeemed("ada", null));
        assertThat(tokens.redeem(Purpose.VERIFY, token)).isInstanceOf(EmailTokens.Unknown.class);
    }

    @Test
    void redeemWhenOtherPurposeThenUnknownAndTokenKept() {
        String token = tokens.issue(Purpose.CHANGE, "ada", "new@example.com", Duration.ofHours(1));
        assertThat(tokens.redeem(Purpose.RESET, token)).isInstanceOf(EmailTokens.Unknown.class);
        assertThat(tokens.redeem(Purpose.CHANGE, token)).isEqualTo(new EmailTokens.Redeemed("ada", "new@example.com"));
    }

    @Test
    void redeemWhenPastLifetimeThenExpiredAndDeleted() {
        String token = tokens.issue(Purpose.RESET, "ada", null, Duration.ofMinutes(15));
        now.set(now.get().plus(Duration.ofMinutes(15)));
        assertThat(tokens.check(Purpose.RESET, token)).isInstanceOf(EmailTokens.Expired.class);
        assertThat(tokens.redeem(Purpose.RESET, token)).isInstanceOf(EmailTokens.Expired.class);
        assertThat(tokens.count("ada")).isZero();
    }

    @Test
    void issueWhenNewerLinkThenEarlierOneOfSamePurposeWithdrawn() {
        String first = tokens.issue(Purpose.RESET, "ada", null, Duration.ofMinutes(15));
        String verify = tokens.issue(Purpose.VERIFY, "ada", null, Duration.ofHours(1));
        String second = tokens.issue(Purpose.RESET, "ada", null, Duration.ofMinutes(15));
        assertThat(tokens.check(Purpose.RESET, first)).isInstanceOf(EmailTokens.Unknown.class);
        assertThat(tokens.check(Purpose.RESET, second)).isInstanceOf(EmailTokens.Redeemed.class);
        assertThat(tokens.check(Purpose.VERIFY, verify)).isInstanceOf(EmailTokens.Redeemed.class);
    }

    @Test
    void checkWhenMalformedOrMissingThenUnknownWithoutQuery() {
        for (String bad :
                new String[] {null, "", "short", "a".repeat(44), "'; DROP TABLE gh_user; --" + "a".repeat(17)}) {
            assertThat(tokens.check(Purpose.RESET, bad)).isInstanceOf(EmailTokens.Unknown.class);
            assertThat(tokens.redeem(Purpose.RESET, bad)).isInstanceOf(EmailTokens.Unknown.class);
        }
    }

    @Test
    void purgeExpiredWhenRunThenOnlyExpiredRowsGo() {
        tokens.issue(Purpose.RESET, "ada", null, Duration.ofMinutes(15));
        tokens.issue(Purpose.VERIFY, "bob", null, Duration.ofHours(24));
        now.set(now.get().plus(Duration.ofHours(1)));
        assertThat(tokens.purgeExpired(now.get())).isEqualTo(1);
        assertThat(tokens.count("ada")).isZero();
        assertThat(tokens.count("bob")).isEqualTo(1);
    }

    @Test
    void deleteUserWhenLinksExistThenLinksGoWithIt() {
        tokens.issue(Purpose.RESET, "bob", null, Duration.ofMinutes(15));
        jdbc.update("DELETE FROM gh_user WHERE username = 'bob'");
        assertThat(tokens.count("bob")).isZero();
    }
}
