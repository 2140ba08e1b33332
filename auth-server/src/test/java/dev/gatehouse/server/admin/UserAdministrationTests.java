package dev.gatehouse.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.Argon2Parameters;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.testsupport.MutableClock;
import dev.gatehouse.server.clients.ClientRegistrations;
import dev.gatehouse.server.logout.BackchannelLogout;
import dev.gatehouse.server.testsupport.H2Database;
import dev.gatehouse.server.tokens.JdbcAuthorizationStore;
import dev.gatehouse.server.tokens.StoredAuthorizations;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.SignInSessions;
import dev.gatehouse.spring.jdbc.JdbcRecoveryCodeStore;
import dev.gatehouse.spring.jdbc.JdbcTotpFactorStore;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * User administration on the real schema (H2, Flyway) with the real hasher, password policy, authorization store and
 * sign-in revocation: the policy guards every password set, MFA reset removes factor and codes and ends sign-ins, and
 * the last way into the admin API cannot be closed.
 */
class UserAdministrationTests {

    private static final String PASSWORD = "violet tractor sings at dawn 42";
    private static final RegisteredClient CLIENT = RegisteredClient.withId("app-id")
            .clientId("app")
            .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
            .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
            .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
            .redirectUri("https://app.example/cb")
            .scope("openid")
            .build();

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final PasswordHasher hasher =
            PasswordHasher.builder().parameters(Argon2Parameters.owasp()).build();
    private JdbcTemplate jdbc;
    private OAuth2AuthorizationService authorizations;
    private SignInSessions signIns;
    private UserAdministration admin;
    private SessionAdministration sessions;

    @BeforeEach
    void database() {
        H2Database db = H2Database.migrated("users");
        jdbc = db.jdbc();
        authorizations = new JdbcAuthorizationStore(jdbc, new InMemoryRegisteredClientRepository(CLIENT));
        signIns = new SignInSessions(jdbc, clock);
        sessions = new SessionAdministration(
                new StoredAuthorizations(jdbc),
                authorizations,
                new InMemoryRegisteredClientRepository(CLIENT),
                signIns,
                new BackchannelLogout(
                        jdbc,
                        new InMemoryRegisteredClientRepository(CLIENT),
                        clock,
                        event -> {},
                        Objects.requireNonNull(db.tx().getTransactionManager())));
        admin = new UserAdministration(
                db.tx(),
                new JdbcUserStore(jdbc),
                hasher,
                new StaticListableBeanFactory().getBeanProvider(PasswordPolicy.class),
                new SecureRandom(),
                TotpService.builder()
                        .issuer("Gatehouse")
                        .envelope(Envelope.of(MasterKey.ephemeralForDevelopment()))
                        .store(new JdbcTotpFactorStore(jdbc))
                        .clock(clock)
                        .build(),
                RecoveryCodes.builder()
                        .hashKey(new byte[32])
                        .store(new JdbcRecoveryCodeStore(jdbc, db.tx()))
                        .build(),
                new LastAdminGuard(
                        jdbc,
                        new JdbcUserStore(jdbc),
                        new ClientRegistrations(jdbc),
                        new AdminProperties("admin", 20, 100)),
                sessions);
        admin.create("root", PASSWORD, List.of("admin"));
        admin.create("alice", PASSWORD, List.of("user"));
    }

    private static void assertAdminError(Runnable call, HttpStatus status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(AdminException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
        });
    }

    private String storedHash(String username) {
        return jdbc.queryForObject("SELECT password_hash FROM gh_user WHERE username = ?", String.class, username);
    }

    private String session(String id, String principal, AuthorizationGrantType grant) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        OAuth2Authorization.Builder authorization = OAuth2Authorization.withRegisteredClient(CLIENT)
                .id(id)
                .principalName(principal)
                .authorizationGrantType(grant)
                .authorizedScopes(Set.of("openid"))
                .token(new OAuth2AccessToken(
                        OAuth2AccessToken.TokenType.BEARER,
                        id + "-access",
                        now,
                        now.plusSeconds(300),
                        Set.of("openid")));
        if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(grant)) {
            authorization.refreshToken(new OAuth2RefreshToken(id + "-refresh", now, now.plusSeconds(3600)));
        }
        authorizations.save(authorization.build());
        return id;
    }

    private void enrolMfa(String username, int recoveryCodes) {
        jdbc.update(
                "INSERT INTO gatehouse_totp_factor (user_id, sealed_secret, algorithm, digits, period_seconds, time_window,"
                        + " confirmed, last_step, version, created_at) VALUES (?, 'sealed', 'SHA1', 6, 30, 1, TRUE, 0, 0, ?)",
                username,
                Timestamp.from(clock.instant()));
        for (int i = 0; i < recoveryCodes; i++) {
            jdbc.update(
                    "INSERT INTO gatehouse_recovery_code (user_id, code_hash) VALUES (?, ?)", username, "hash-" + i);
        }
    }

    @Test
    void createWhenPasswordTooShortThenBadRequestNamingTheViolation() {
        assertThatThrownBy(() -> admin.create("bob", "short", List.of("user")))
                .isInstanceOfSatisfying(AdminException.class, e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST);
                    assertThat(e.code()).isEqualTo("admin.weak_password");
                    assertThat(e.errors())
                            .anySatisfy(error -> assertThat(error)
                                    .containsEntry("field", "password")
                                    .containsEntry("code", "password.too_short"));
                    assertThat(e.getMessage()).doesNotContain("short");
                });
        assertThat(admin.find("bob")).isEmpty();
    }

    @Test
    void createWhenPasswordContainsTheUserNameThenRefusedAsContextSpecific() {
        assertThatThrownBy(() -> admin.create("Bartholomew", "bartholomew-2026-xq", List.of("user")))
                .isInstanceOfSatisfying(
                        AdminException.class,
                        e -> assertThat(e.errors())
                                .extracting(error -> error.get("code"))
                                .contains("password.context_specific"));
    }

    @Test
    void createWhenPasswordIsCommonThenRefused() {
        assertAdminError(
                () -> admin.create("bob", "password123", List.of("user")),
                HttpStatus.BAD_REQUEST,
                "admin.weak_password");
    }

    @Test
    void createWhenNameInMixedCaseThenStoredCanonicallyWithAHashOnlyAndSortedRoles() {
        UserAdministration.UserView bob = admin.create("Bob", PASSWORD, List.of("user", "auditor"));

        assertThat(bob.username()).isEqualTo("bob");
        assertThat(bob.roles()).containsExactly("auditor", "user");
        assertThat(bob.enabled()).isTrue();
        assertThat(storedHash("bob")).startsWith("$argon2id$").doesNotContain(PASSWORD);
        assertThat(hasher.verify(PASSWORD, storedHash("bob")).matched()).isTrue();
    }

    @Test
    void createWhenTheNameDiffersOnlyInCaseThenConflict() {
        assertAdminError(
                () -> admin.create("ALICE", PASSWORD, List.of("user")), HttpStatus.CONFLICT, "admin.user.exists");
    }

    @Test
    void setPasswordWhenRefusedByThePolicyThenTheOldHashStays() {
        String before = storedHash("alice");

        assertAdminError(() -> admin.setPassword("alice", "alice"), HttpStatus.BAD_REQUEST, "admin.weak_password");

        assertThat(storedHash("alice")).isEqualTo(before);
    }

    @Test
    void setPasswordWhenAcceptedThenReplacedAndEverySessionAndSignInOfTheUserEnds() {
        Instant signedIn = clock.instant();
        session("alice-1", "alice", AuthorizationGrantType.AUTHORIZATION_CODE);
        session("root-1", "root", AuthorizationGrantType.AUTHORIZATION_CODE);
        clock.advance(Duration.ofMinutes(1));

        admin.setPassword("alice", "a different long passphrase");

        assertThat(hasher.verify("a different long passphrase", storedHash("alice"))
                        .matched())
                .isTrue();
        assertThat(hasher.verify(PASSWORD, storedHash("alice")).matched()).isFalse();
        assertThat(authorizations.findById("alice-1")).isNull();
        assertThat(authorizations.findById("root-1"))
                .as("other users keep theirs")
                .isNotNull();
        assertThat(signIns.stillValid("alice", signedIn)).isFalse();
        assertThat(signIns.stillValid("alice", clock.instant())).isTrue();
        assertThat(signIns.stillValid("root", signedIn)).isTrue();
    }

    @Test
    void setPasswordWhenUserUnknownThenNotFound() {
        assertAdminError(() -> admin.setPassword("nobody", PASSWORD), HttpStatus.NOT_FOUND, "admin.not_found");
    }

    @Test
    void generatePasswordWhenCalledThenAPolicyAcceptedRandomPasswordIsSetAndReturnedOnce() {
        String first = admin.generatePassword("alice");
        String second = admin.generatePassword("alice");

        assertThat(first).hasSize(24).isNotEqualTo(second);
        assertThat(hasher.verify(second, storedHash("alice")).matched()).isTrue();
        assertThat(hasher.verify(first, storedHash("alice")).matched()).isFalse();
    }

    @Test
    void resetMfaWhenFactorAndRecoveryCodesExistThenBothAreRemovedAndSignInsEnd() {
        enrolMfa("alice", 3);
        enrolMfa("root", 2);
        Instant signedIn = clock.instant();
        assertThat(admin.get("alice").totpEnrolled()).isTrue();
        assertThat(admin.get("alice").recoveryCodesLeft()).isEqualTo(3);
        clock.advance(Duration.ofMinutes(1));

        assertThat(admin.resetMfa("alice")).isTrue();

        UserAdministration.UserView alice = admin.get("alice");
        assertThat(alice.totpEnrolled()).isFalse();
        assertThat(alice.recoveryCodesLeft()).isZero();
        // Whoever enrolled the removed factor may hold a two-factor session.
        assertThat(signIns.stillValid("alice", signedIn)).isFalse();
        UserAdministration.UserView root = admin.get("root");
        assertThat(root.totpEnrolled()).isTrue();
        assertThat(root.recoveryCodesLeft()).isEqualTo(2);
    }

    @Test
    void resetMfaWhenNothingEnrolledThenFalseAndSignInsStillEnd() {
        Instant signedIn = clock.instant();
        clock.advance(Duration.ofSeconds(1));

        assertThat(admin.resetMfa("alice")).isFalse();

        assertThat(signIns.stillValid("alice", signedIn)).isFalse();
    }

    @Test
    void resetMfaWhenOnlyRecoveryCodesLeftThenTheyAreRemoved() {
        jdbc.update("INSERT INTO gatehouse_recovery_code (user_id, code_hash) VALUES ('alice', 'h')");

        assertThat(admin.resetMfa("alice")).isTrue();
        assertThat(admin.get("alice").recoveryCodesLeft()).isZero();
    }

    @Test
    void resetMfaWhenUserUnknownThenNotFound() {
        assertAdminError(() -> admin.resetMfa("nobody"), HttpStatus.NOT_FOUND, "admin.not_found");
    }

    @Test
    void setMfaRequiredWhenSetThenShownAndUnknownUserNotFound() {
        assertThat(admin.setMfaRequired("alice", true).mfaRequired()).isTrue();
        assertThat(admin.setMfaRequired("alice", false).mfaRequired()).isFalse();
        assertAdminError(() -> admin.setMfaRequired("nobody", true), HttpStatus.NOT_FOUND, "admin.not_found");
    }

    @Test
    void setEnabledWhenDisablingTheLastAdminThenConflictAndStillEnabled() {
        assertThatThrownBy(() -> admin.setEnabled("root", false))
                .isInstanceOfSatisfying(
                        AdminException.class, e -> assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT));

        assertThat(admin.get("root").enabled()).isTrue();
    }

    @Test
    void setEnabledWhenDisablingAUserThenTheirSessionsAreRevoked() {
        session("alice-1", "alice", AuthorizationGrantType.AUTHORIZATION_CODE);

        assertThat(admin.setEnabled("alice", false).enabled()).isFalse();

        assertThat(authorizations.findById("alice-1")).isNull();
        assertThat(signIns.stillValid("alice", clock.instant())).isFalse();
    }

    @Test
    void removeRoleWhenItIsTheLastAdminRoleThenConflictAndTheRoleStays() {
        assertThatThrownBy(() -> admin.removeRole("root", "admin")).isInstanceOf(AdminException.class);

        assertThat(admin.roles("root")).containsExactly("admin");
    }

    @Test
    void removeRoleWhenAnotherAdminRemainsThenRemoved() {
        admin.addRole("alice", "admin");

        assertThat(admin.removeRole("root", "admin")).isEmpty();
        assertAdminError(() -> admin.removeRole("root", "admin"), HttpStatus.NOT_FOUND, "admin.not_found");
    }

    @Test
    void addRoleWhenAlreadyHeldThenNotDuplicated() {
        admin.addRole("alice", "user");

        assertThat(admin.roles("alice")).containsExactly("user");
    }

    @Test
    void sessionsWhenTheUserNameIsAlsoAClientsPrincipalThenClientCredentialsAreNeverListed() {
        session("alice-1", "alice", AuthorizationGrantType.AUTHORIZATION_CODE);
        session("cc-1", "alice", AuthorizationGrantType.CLIENT_CREDENTIALS);

        assertThat(sessions.sessions("alice"))
                .extracting(SessionAdministration.SessionView::id)
                .containsExactly("alice-1");
    }

    @Test
    void sessionsWhenListedThenNameTheClientByItsClientIdAndCarryNoTokenValue() {
        session("alice-1", "alice", AuthorizationGrantType.AUTHORIZATION_CODE);

        SessionAdministration.SessionView view = sessions.sessions("alice").get(0);

        assertThat(view.clientId()).isEqualTo("app");
        assertThat(view.grantType()).isEqualTo("authorization_code");
        assertThat(view.scopes()).containsExactly("openid");
        assertThat(view.refreshTokenExpiresAt()).isNotNull();
        assertThat(view.toString()).doesNotContain("alice-1-access", "alice-1-refresh");
    }

    @Test
    void revokeSessionWhenTheSessionBelongsToAnotherUserThenNotFoundAndKept() {
        session("root-1", "root", AuthorizationGrantType.AUTHORIZATION_CODE);

        assertAdminError(() -> sessions.revoke("alice", "root-1"), HttpStatus.NOT_FOUND, "admin.not_found");

        assertThat(authorizations.findById("root-1")).isNotNull();
    }

    @Test
    void revokeSessionWhenClientCredentialsUnderTheSameNameThenNotFoundAndKept() {
        session("cc-1", "alice", AuthorizationGrantType.CLIENT_CREDENTIALS);

        assertAdminError(() -> sessions.revoke("alice", "cc-1"), HttpStatus.NOT_FOUND, "admin.not_found");

        assertThat(authorizations.findById("cc-1")).isNotNull();
    }

    @Test
    void revokeSessionWhenTheUsersOwnThenRemoved() {
        session("alice-1", "alice", AuthorizationGrantType.AUTHORIZATION_CODE);

        sessions.revoke("alice", "alice-1");

        assertThat(authorizations.findById("alice-1")).isNull();
    }
}
