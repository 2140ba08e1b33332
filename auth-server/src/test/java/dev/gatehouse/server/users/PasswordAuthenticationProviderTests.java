package dev.gatehouse.server.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.gatehouse.core.password.Argon2Parameters;
import dev.gatehouse.core.password.BcryptParameters;
import dev.gatehouse.core.password.HeldHashingSlots;
import dev.gatehouse.core.password.PasswordException;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.testsupport.MutableClock;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.core.throttle.ThrottlePolicy;
import dev.gatehouse.server.testsupport.H2Database;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Form-login authentication on the real schema (H2, Flyway), auth-core's hasher and limiter with the server's JDBC
 * attempt counters and a movable clock: every failure reads the same, unknown and disabled users cost a hash, throttled
 * attempts are refused before the password is looked at, and a stale hash is upgraded on a match.
 */
class PasswordAuthenticationProviderTests {

    private static final String PASSWORD = "correct horse battery staple";
    private static final ThrottlePolicy POLICY = ThrottlePolicy.builder()
            .freeAttempts(2)
            .baseDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofSeconds(4))
            .pairLockoutThreshold(5)
            .lockoutDuration(Duration.ofMinutes(15))
            .build();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    private final PasswordHasher hasher =
            PasswordHasher.builder().parameters(Argon2Parameters.owasp()).build();
    private JdbcTemplate jdbc;
    private JdbcUserStore users;
    private PasswordAuthenticationProvider provider;

    @BeforeEach
    void database() {
        jdbc = H2Database.migrated("password").jdbc();
        users = new JdbcUserStore(jdbc);
        AttemptLimiter limiter = AttemptLimiter.builder()
                .scope("password")
                .policy(POLICY)
                .store(new JdbcAttemptStore(jdbc))
                .clock(clock)
                .build();
        provider = new PasswordAuthenticationProvider(users, hasher, clock, limiter);
        users.create("alice", hasher.hash(PASSWORD), List.of("user", "admin"));
    }

    private static Authentication form(String username, String password) {
        return form(username, password, "203.0.113.7");
    }

    private static Authentication form(String username, String password, String address) {
        UsernamePasswordAuthenticationToken attempt =
                UsernamePasswordAuthenticationToken.unauthenticated(username, password);
        attempt.setDetails(new WebAuthenticationDetails(address, null));
        return attempt;
    }

    private static void assertBadCredentials(Runnable attempt) {
        assertThatThrownBy(attempt::run)
                .isExactlyInstanceOf(BadCredentialsException.class)
                .hasMessage("Bad credentials");
    }

    private PasswordAuthenticationProvider.Throttled throttled(Authentication attempt) {
        Throwable thrown = catchThrowable(() -> provider.authenticate(attempt));
        assertThat(thrown).isInstanceOf(PasswordAuthenticationProvider.Throttled.class);
        return (PasswordAuthenticationProvider.Throttled) thrown;
    }

    private String storedHash(String username) {
        return jdbc.queryForObject("SELECT password_hash FROM gh_user WHERE username = ?", String.class, username);
    }

    @Test
    void authenticateWhenPasswordMatchesThenTheStoredNameRolesAndATimedPasswordFactor() {
        Authentication result = provider.authenticate(form("Alice", PASSWORD));

        assertThat(result.isAuthenticated()).isTrue();
        assertThat(result.getName()).isEqualTo("alice"); // the stored name is the token subject, whatever was typed
        assertThat(result.getCredentials()).isNull();
        assertThat(result.getAuthorities())
                .extracting(GrantedAuthority::getAuthority)
                .containsExactlyInAnyOrder(FactorGrantedAuthority.PASSWORD_AUTHORITY, "ROLE_admin", "ROLE_user");
        assertThat(result.getAuthorities())
                .filteredOn(FactorGrantedAuthority.class::isInstance)
                .singleElement()
                .satisfies(f ->
                        assertThat(((FactorGrantedAuthority) f).getIssuedAt()).isEqualTo(clock.instant()));
    }

    @Test
    void authenticateWhenPasswordWrongThenBadCredentials() {
        assertBadCredentials(() -> provider.authenticate(form("alice", PASSWORD + "!")));
    }

    @Test
    void authenticateWhenUserUnknownThenTheSameRefusalAsAWrongPassword() {
        assertBadCredentials(() -> provider.authenticate(form("mallory", PASSWORD)));
    }

    @Test
    void authenticateWhenUserDisabledThenTheSameRefusalEvenWithTheRightPassword() {
        jdbc.update("UPDATE gh_user SET enabled = FALSE WHERE username = 'alice'");

        assertBadCredentials(() -> provider.authenticate(form("alice", PASSWORD)));
    }

    @Test
    void authenticateWhenUnknownUsersFailThenTheyAreCountedAndThrottledLikeRealOnes() {
        for (int i = 0; i < POLICY.freeAttempts(); i++) {
            assertBadCredentials(() -> provider.authenticate(form("mallory", "guess")));
        }
        assertBadCredentials(() -> provider.authenticate(form("mallory", "guess")));

        assertThat(throttled(form("mallory", "guess")).retryAfterSeconds()).isPositive();
    }

    @Test
    void authenticateWhenDelayedThenEvenTheRightPasswordIsRefusedUntilTheDelayIsOver() {
        PasswordAuthenticationProvider.Throttled refusal = null;
        for (int i = 0; i < 10 && refusal == null; i++) {
            Throwable thrown = catchThrowable(() -> provider.authenticate(form("alice", "guess")));
            if (thrown instanceof PasswordAuthenticationProvider.Throttled t) {
                refusal = t;
            } else {
                assertThat(thrown).isExactlyInstanceOf(BadCredentialsException.class);
            }
        }
        assertThat(refusal).as("a delay after repeated failures").isNotNull();
        assertThat(refusal.lockedOut()).isFalse();

        // During the delay the password is not checked: a right guess is refused like a wrong one, teaching nothing.
        assertThat(throttled(form("alice", PASSWORD)).lockedOut()).isFalse();

        clock.advance(Duration.ofSeconds(refusal.retryAfterSeconds()));
        assertThat(provider.authenticate(form("alice", PASSWORD)).isAuthenticated())
                .isTrue();
    }

    @Test
    void authenticateWhenTheAccountAndAddressFailTooOftenThenLockedOutForTheLockoutDuration() {
        PasswordAuthenticationProvider.Throttled refusal = null;
        for (int i = 0; i < 20; i++) {
            Throwable thrown = catchThrowable(() -> provider.authenticate(form("alice", "guess")));
            if (thrown instanceof PasswordAuthenticationProvider.Throttled t) {
                if (t.lockedOut()) {
                    refusal = t;
                    break;
                }
                clock.advance(Duration.ofSeconds(t.retryAfterSeconds())); // sit out each delay, then guess again
            }
        }
        assertThat(refusal)
                .as("a lockout after %s failures", POLICY.pairLockoutThreshold())
                .isNotNull();

        clock.advance(Duration.ofMinutes(14));
        assertThat(throttled(form("alice", PASSWORD)).lockedOut()).isTrue();

        clock.advance(Duration.ofMinutes(2));
        assertThat(provider.authenticate(form("alice", PASSWORD)).getName()).isEqualTo("alice");
    }

    @Test
    void authenticateWhenGuessesAreSpreadOverSpellingsOfTheNameAndAddressThenTheAccountIsStillLockedOut() {
        jdbc.update(
                "UPDATE gh_user SET email = ?, email_verified = TRUE WHERE username = ?", "alice@example.com", "alice");
        // Each spelling finds alice: trailing or leading Unicode spaces (no-break, em, ideographic), case, full-width
        // compatibility forms, the name or the address.
        List<String> spellings = List.of(
                "alice ",
                "alice\u00A0",
                "\u3000alice",
                "ＡＬＩＣＥ\u2003",
                "alice@example.com\u2003",
                "alice@example.com\u00A0",
                "\u3000ALICE@EXAMPLE.COM",
                "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",
                "alice@example.com  ");
        for (String spelling : spellings) {
            assertThat(provider.authenticate(form(spelling, PASSWORD)).getName())
                    .as(spelling)
                    .isEqualTo("alice");
        }
        PasswordAuthenticationProvider.Throttled refusal = null;
        for (int i = 0; i < 40 && refusal == null; i++) {
            String spelling = spellings.get(i % spellings.size());
            Throwable thrown = catchThrowable(() -> provider.authenticate(form(spelling, "guess")));
            if (thrown instanceof PasswordAuthenticationProvider.Throttled t) {
                if (t.lockedOut()) {
                    refusal = t;
                } else {
                    clock.advance(Duration.ofSeconds(t.retryAfterSeconds()));
                }
            }
        }
        assertThat(refusal)
                .as("a lockout after %s failures", POLICY.pairLockoutThreshold())
                .isNotNull();
        // Locked as one account: the plain name and every other spelling are refused even with the right password.
        assertThat(throttled(form("alice", PASSWORD)).lockedOut()).isTrue();
        assertThat(throttled(form("alice@example.com", PASSWORD)).lockedOut()).isTrue();
        assertThat(throttled(form("alice\u3000", PASSWORD)).lockedOut()).isTrue();
    }

    @Test
    void authenticateWhenAnAddressIsLockedOutThenTheSameAccountFromAnotherAddressIsOnlyDelayedBriefly() {
        for (int i = 0; i < 20; i++) {
            Throwable thrown = catchThrowable(() -> provider.authenticate(form("alice", "guess")));
            if (thrown instanceof PasswordAuthenticationProvider.Throttled t) {
                if (t.lockedOut()) {
                    break;
                }
                clock.advance(Duration.ofSeconds(t.retryAfterSeconds()));
            }
        }
        // The account as a whole is never locked (that would let anyone lock a user out), only delayed.
        clock.advance(POLICY.maxDelay());

        assertThat(provider.authenticate(form("alice", PASSWORD, "198.51.100.9"))
                        .getName())
                .isEqualTo("alice");
    }

    @Test
    void authenticateWhenSuccessfulThenTheAccountsFailuresAreForgotten() {
        assertBadCredentials(() -> provider.authenticate(form("alice", "guess")));
        assertBadCredentials(() -> provider.authenticate(form("alice", "guess")));
        provider.authenticate(form("alice", PASSWORD));

        // Two more free failures, not a delay.
        assertBadCredentials(() -> provider.authenticate(form("alice", "guess")));
        assertBadCredentials(() -> provider.authenticate(form("alice", "guess")));
    }

    @Test
    void authenticateWhenStoredHashIsUnderAnOlderPolicyThenUpgradedOnTheMatch() {
        String bcrypt = PasswordHasher.builder()
                .parameters(BcryptParameters.of(BcryptParameters.MIN_COST_FOR_NEW_HASHES))
                .build()
                .hash(PASSWORD);
        users.create("bob", bcrypt, List.of("user"));

        provider.authenticate(form("bob", PASSWORD));

        assertThat(storedHash("bob")).startsWith("$argon2id$").isNotEqualTo(bcrypt);
        assertThat(provider.authenticate(form("bob", PASSWORD)).getName()).isEqualTo("bob");
    }

    @Test
    void authenticateWhenPasswordWrongThenAStaleHashIsLeftAlone() {
        String bcrypt = PasswordHasher.builder()
                .parameters(BcryptParameters.of(BcryptParameters.MIN_COST_FOR_NEW_HASHES))
                .build()
                .hash(PASSWORD);
        users.create("bob", bcrypt, List.of("user"));

        assertBadCredentials(() -> provider.authenticate(form("bob", "guess")));

        assertThat(storedHash("bob")).isEqualTo(bcrypt);
    }

    @Test
    void authenticateWhenStoredHashUnreadableThenBadCredentialsWithoutDetail() {
        users.create("carol", "not-a-hash", List.of("user"));

        assertBadCredentials(() -> provider.authenticate(form("carol", "anything")));
    }

    @Test
    void authenticateWhenPasswordEmptyOrOverlongThenBadCredentials() {
        assertBadCredentials(() -> provider.authenticate(form("alice", "")));
        clock.advance(Duration.ofMinutes(1));
        assertBadCredentials(() -> provider.authenticate(form("alice", "x".repeat(100_000))));
    }

    @Test
    void authenticateWhenUsernameEmptyBlankOrOverlongThenBadCredentialsNotAServerError() {
        assertBadCredentials(() -> provider.authenticate(form("", PASSWORD)));
        assertBadCredentials(() -> provider.authenticate(form("   ", PASSWORD)));
        assertBadCredentials(() -> provider.authenticate(form("a".repeat(201), PASSWORD)));
    }

    @Test
    void authenticateWhenNoWebDetailsThenCountedUnderAnUnknownAddressAndStillChecked() {
        Authentication bare = new TestingAuthenticationToken("alice", PASSWORD);

        assertThat(provider.authenticate(bare).getName()).isEqualTo("alice");
    }

    @Test
    void authenticateWhenHashingSlotsAllTakenThenBusyThrownAndNothingCounted() {
        // A gate of one slot, no wait, held by the test: every check is refused as BUSY without being run.
        PasswordHasher oneSlot = PasswordHasher.builder()
                .parameters(Argon2Parameters.owasp())
                .maxConcurrentHashes(1)
                .maxWait(Duration.ZERO)
                .build();
        AttemptLimiter limiter = AttemptLimiter.builder()
                .scope("password")
                .policy(POLICY)
                .store(new JdbcAttemptStore(jdbc))
                .clock(clock)
                .build();
        PasswordAuthenticationProvider busy = new PasswordAuthenticationProvider(users, oneSlot, clock, limiter);
        try (HeldHashingSlots held = HeldHashingSlots.holdAll(oneSlot)) {
            assertThat(held.held()).isEqualTo(1);
            // More refusals than the free attempts and the pair's lockout threshold: none may count as a failure.
            for (int i = 0; i < 6; i++) {
                assertThat(catchThrowable(() -> busy.authenticate(form("alice", "wrong password"))))
                        .isInstanceOfSatisfying(
                                PasswordException.class,
                                e -> assertThat(e.reason()).isEqualTo(PasswordException.Reason.BUSY));
                assertThat(catchThrowable(() -> busy.authenticate(form("nobody", PASSWORD))))
                        .isInstanceOf(PasswordException.class);
            }
        }
        // The slot back, the same account and address sign in at once: no delay, no lockout was recorded.
        assertThat(busy.authenticate(form("alice", PASSWORD)).isAuthenticated()).isTrue();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_attempt_counter", Integer.class))
                .isZero();
    }

    @Test
    void supportsWhenUsernamePasswordThenTrueElseFalse() {
        assertThat(provider.supports(UsernamePasswordAuthenticationToken.class)).isTrue();
        assertThat(provider.supports(TestingAuthenticationToken.class)).isFalse();
    }
}
