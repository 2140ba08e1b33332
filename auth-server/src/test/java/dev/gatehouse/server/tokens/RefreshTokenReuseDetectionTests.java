package dev.gatehouse.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.testsupport.MutableClock;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.testsupport.H2Database;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Refresh-token rotation with reuse detection (RFC 9700 §4.14.2) on the real schema (H2, Flyway) and the server's
 * JDBC authorization store: presenting a rotated refresh token again revokes its whole family; two rotations of one
 * token let only one win. Requests are simulated with {@link RequestContextHolder}, as the token endpoint runs in one.
 */
class RefreshTokenReuseDetectionTests {

    private static final RegisteredClient CLIENT = RegisteredClient.withId("app-id")
            .clientId("app")
            .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
            .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
            .redirectUri("https://app.example/cb")
            .scope("openid")
            .build();

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    private JdbcTemplate jdbc;
    private RefreshTokenReuseDetection authorizations;

    @BeforeEach
    void database() {
        jdbc = H2Database.migrated("reuse").jdbc();
        authorizations = new RefreshTokenReuseDetection(
                new JdbcAuthorizationStore(jdbc, new InMemoryRegisteredClientRepository(CLIENT)),
                jdbc,
                clock,
                audit::add);
    }

    @AfterEach
    void endRequest() {
        RequestContextHolder.resetRequestAttributes();
    }

    /** A new token request; the detection remembers per request which refresh token was presented. */
    private static void inRequest(ServletRequestAttributes request) {
        RequestContextHolder.setRequestAttributes(request);
    }

    private static ServletRequestAttributes newRequest() {
        return new ServletRequestAttributes(new MockHttpServletRequest("POST", "/oauth2/token"));
    }

    private static OAuth2AccessToken access(String value) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return new OAuth2AccessToken(
                OAuth2AccessToken.TokenType.BEARER, value, now, now.plusSeconds(300), Set.of("openid"));
    }

    private static OAuth2RefreshToken refresh(String value) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return new OAuth2RefreshToken(value, now, now.plusSeconds(3600));
    }

    /** Signs alice in: an authorization with access token {@code a1} and refresh token {@code r1}. */
    private OAuth2Authorization issued() {
        OAuth2Authorization authorization = OAuth2Authorization.withRegisteredClient(CLIENT)
                .id("authz-1")
                .principalName("alice")
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizedScopes(Set.of("openid"))
                .token(
                        access("a1"),
                        metadata -> metadata.put(
                                OAuth2Authorization.Token.CLAIMS_METADATA_NAME, new HashMap<>(Map.of("jti", "jti-a1"))))
                .refreshToken(refresh("r1"))
                .build();
        authorizations.save(authorization);
        return authorization;
    }

    /** The refresh grant as Spring Authorization Server runs it: find by the presented token, save the rotated one. */
    private OAuth2Authorization rotate(String presented, String newAccess, String newRefresh) {
        OAuth2Authorization found = authorizations.findByToken(presented, OAuth2TokenType.REFRESH_TOKEN);
        assertThat(found).as("the presented refresh token is current").isNotNull();
        OAuth2Authorization rotated = rotated(found, newAccess, newRefresh);
        authorizations.save(rotated);
        return rotated;
    }

    private static OAuth2Authorization rotated(OAuth2Authorization found, String newAccess, String newRefresh) {
        return OAuth2Authorization.from(found)
                .token(
                        access(newAccess),
                        metadata -> metadata.put(
                                OAuth2Authorization.Token.CLAIMS_METADATA_NAME,
                                new HashMap<>(Map.of("jti", "jti-" + newAccess))))
                .refreshToken(refresh(newRefresh))
                .build();
    }

    private int count(String sql) {
        return jdbc.queryForObject(sql, Integer.class);
    }

    private void assertFamilyGone() {
        assertThat(authorizations.findById("authz-1")).isNull();
        assertThat(count("SELECT COUNT(*) FROM oauth2_authorization")).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_revoked_authorization WHERE authorization_id = 'authz-1'"))
                .isEqualTo(1);
    }

    private static void assertReuseRefused(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(OAuth2AuthenticationException.class, e -> {
            assertThat(e.getError().getErrorCode()).isEqualTo("invalid_grant");
            assertThat(e.getError().getDescription()).isEqualTo("refresh token was already used");
        });
    }

    @Test
    void saveWhenRefreshTokenRotatedThenTheReplacedTokenIsRememberedByItsHashOnly() {
        issued();
        inRequest(newRequest());

        rotate("r1", "a2", "r2");

        assertThat(jdbc.queryForList(
                        "SELECT token_hash FROM gh_consumed_refresh_token WHERE authorization_id = 'authz-1'",
                        String.class))
                .containsExactly(RefreshTokenReuseDetection.hash("r1"))
                .doesNotContain("r1");
        assertThat(authorizations.findByToken("r2", OAuth2TokenType.REFRESH_TOKEN))
                .isNotNull();
        assertThat(audit).isEmpty();
    }

    @Test
    void findByTokenWhenARotatedRefreshTokenIsPresentedAgainThenTheWholeFamilyIsRevoked() {
        issued();
        inRequest(newRequest());
        rotate("r1", "a2", "r2");

        inRequest(newRequest()); // the thief, with the copy of r1
        OAuth2Authorization found = authorizations.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN);

        assertThat(found).isNull(); // Spring Authorization Server answers invalid_grant
        assertFamilyGone();
        // Neither the legitimate client's current tokens nor any other of the family work any more.
        assertThat(authorizations.findByToken("r2", OAuth2TokenType.REFRESH_TOKEN))
                .isNull();
        assertThat(authorizations.findByToken("a2", OAuth2TokenType.ACCESS_TOKEN))
                .isNull();
        assertThat(audit).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(AuditEvents.TOKEN_REVOKE);
            assertThat(event.outcome()).isEqualTo(AuditEvent.SUCCESS);
            assertThat(event.subject()).isEqualTo("alice");
            assertThat(event.details())
                    .containsEntry("reason", "refresh_token_reuse")
                    .containsEntry("detection", "reused_refresh_token")
                    .containsEntry("authorization_id", "authz-1")
                    .containsEntry("client_id", "app-id")
                    .containsEntry("jti", "jti-a2");
        });
    }

    @Test
    void findByTokenWhenATokenRotatedTwiceAgoIsPresentedThenTheFamilyIsRevoked() {
        issued();
        inRequest(newRequest());
        rotate("r1", "a2", "r2");
        inRequest(newRequest());
        rotate("r2", "a3", "r3");

        inRequest(newRequest());
        assertThat(authorizations.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN))
                .isNull();

        assertFamilyGone();
        assertThat(authorizations.findByToken("r3", OAuth2TokenType.REFRESH_TOKEN))
                .isNull();
    }

    @Test
    void findByTokenWhenReusedAgainAfterRevocationThenStillRefusedAndRecordedOnce() {
        issued();
        inRequest(newRequest());
        rotate("r1", "a2", "r2");
        authorizations.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN);

        assertThat(authorizations.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN))
                .isNull();

        assertThat(count("SELECT COUNT(*) FROM gh_revoked_authorization")).isEqualTo(1);
        // The second event has no family left to name a client or a token.
        assertThat(audit).hasSize(2);
        assertThat(audit.get(1).details()).doesNotContainKeys("client_id", "jti");
    }

    @Test
    void findByTokenWhenUnknownRefreshTokenThenNothingIsRevoked() {
        issued();

        assertThat(authorizations.findByToken("guessed", OAuth2TokenType.REFRESH_TOKEN))
                .isNull();

        assertThat(authorizations.findById("authz-1")).isNotNull();
        assertThat(count("SELECT COUNT(*) FROM gh_revoked_authorization")).isZero();
        assertThat(audit).isEmpty();
    }

    @Test
    void findByTokenWhenAnAccessTokenLookupMissesThenTheConsumedTableIsNotConsulted() {
        issued();
        inRequest(newRequest());
        rotate("r1", "a2", "r2");

        // A rotated refresh token presented where an access token is expected (introspection of the wrong type).
        assertThat(authorizations.findByToken("r1", OAuth2TokenType.ACCESS_TOKEN))
                .isNull();

        assertThat(authorizations.findById("authz-1")).isNotNull();
        assertThat(audit).isEmpty();
    }

    @Test
    void saveWhenNoRefreshTokenThenSavedWithoutRememberingAnything() {
        OAuth2Authorization clientCredentials = OAuth2Authorization.withRegisteredClient(CLIENT)
                .id("cc-1")
                .principalName("app")
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .token(access("cc-token"))
                .build();

        authorizations.save(clientCredentials);

        assertThat(authorizations.findById("cc-1")).isNotNull();
        assertThat(count("SELECT COUNT(*) FROM gh_consumed_refresh_token")).isZero();
    }

    @Test
    void saveWhenTheRefreshTokenIsUnchangedThenNothingIsConsumed() {
        OAuth2Authorization authorization = issued();

        // An update that keeps the refresh token (the access token invalidated, say).
        authorizations.save(OAuth2Authorization.from(authorization)
                .invalidate(authorization.getAccessToken().getToken())
                .build());

        assertThat(count("SELECT COUNT(*) FROM gh_consumed_refresh_token")).isZero();
        assertThat(authorizations.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN))
                .isNotNull();
    }

    @Test
    void saveWhenRotatedOutsideARequestThenTheStoredTokenIsTheOneConsumed() {
        issued();
        OAuth2Authorization stored = authorizations.findById("authz-1");

        authorizations.save(rotated(stored, "a2", "r2"));

        assertThat(jdbc.queryForList("SELECT token_hash FROM gh_consumed_refresh_token", String.class))
                .containsExactly(RefreshTokenReuseDetection.hash("r1"));
    }

    @Test
    void saveWhenTwoRequestsRotateTheSameRefreshTokenThenOnlyOneWinsAndTheFamilyIsRevoked() {
        issued();
        ServletRequestAttributes first = newRequest();
        ServletRequestAttributes second = newRequest();
        inRequest(first);
        OAuth2Authorization seenByFirst = authorizations.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN);
        inRequest(second);
        OAuth2Authorization seenBySecond = authorizations.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN);

        inRequest(first);
        authorizations.save(rotated(seenByFirst, "a2", "r2"));
        inRequest(second);
        assertReuseRefused(() -> authorizations.save(rotated(seenBySecond, "a3", "r3")));

        assertFamilyGone();
        assertThat(authorizations.findByToken("r2", OAuth2TokenType.REFRESH_TOKEN))
                .isNull();
        assertThat(audit)
                .singleElement()
                .satisfies(event -> assertThat(event.details()).containsEntry("detection", "concurrent_refresh"));
    }

    @Test
    void saveWhenTheFamilyIsRevokedWhileARotationIsInFlightThenTheRotationIsUndoneAndRefused() {
        issued();
        inRequest(newRequest());
        rotate("r1", "a2", "r2");
        ServletRequestAttributes legitimate = newRequest();
        inRequest(legitimate);
        OAuth2Authorization found = authorizations.findByToken("r2", OAuth2TokenType.REFRESH_TOKEN);

        inRequest(newRequest()); // meanwhile the thief replays r1
        authorizations.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN);
        inRequest(legitimate);
        assertReuseRefused(() -> authorizations.save(rotated(found, "a3", "r3")));

        assertFamilyGone();
        assertThat(authorizations.findByToken("r3", OAuth2TokenType.REFRESH_TOKEN))
                .isNull();
    }

    /** The detection over the real store, counting the lookups that reach the store. */
    private RefreshTokenReuseDetection counting(AtomicInteger lookups) {
        JdbcAuthorizationStore store = new JdbcAuthorizationStore(jdbc, new InMemoryRegisteredClientRepository(CLIENT));
        OAuth2AuthorizationService counted = new OAuth2AuthorizationService() {
            @Override
            public void save(OAuth2Authorization authorization) {
                store.save(authorization);
            }

            @Override
            public void remove(OAuth2Authorization authorization) {
                store.remove(authorization);
            }

            @Override
            public @Nullable OAuth2Authorization findById(String id) {
                return store.findById(id);
            }

            @Override
            public @Nullable OAuth2Authorization findByToken(String token, @Nullable OAuth2TokenType tokenType) {
                lookups.incrementAndGet();
                return store.findByToken(token, tokenType);
            }
        };
        return new RefreshTokenReuseDetection(counted, jdbc, clock, audit::add);
    }

    @Test
    void findByTokenWhenTheSameRefreshTokenIsLookedUpTwiceInOneRequestThenTheStoreIsAskedOnce() {
        issued();
        AtomicInteger lookups = new AtomicInteger();
        RefreshTokenReuseDetection detection = counting(lookups);
        inRequest(newRequest());

        OAuth2Authorization first = detection.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN);
        OAuth2Authorization second = detection.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN);

        assertThat(first).isNotNull();
        assertThat(second).isSameAs(first);
        assertThat(lookups).hasValue(1);
    }

    @Test
    void findByTokenWhenAnotherRequestPresentsTheTokenThenTheStoreIsAskedAgainAndSeesARevocation() {
        issued();
        AtomicInteger lookups = new AtomicInteger();
        RefreshTokenReuseDetection detection = counting(lookups);
        inRequest(newRequest());
        assertThat(detection.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN)).isNotNull();

        // another node revokes the authorization; the memo of the first request must not answer the next one
        jdbc.update("DELETE FROM oauth2_authorization WHERE id = 'authz-1'");
        inRequest(newRequest());

        assertThat(detection.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN)).isNull();
        assertThat(lookups).hasValue(2);
    }

    @Test
    void findByTokenWhenTheRequestSavedMeanwhileThenTheStoreIsAskedAgain() {
        issued();
        AtomicInteger lookups = new AtomicInteger();
        RefreshTokenReuseDetection detection = counting(lookups);
        inRequest(newRequest());
        OAuth2Authorization found = detection.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN);
        detection.save(rotated(found, "a2", "r2"));

        assertThat(detection.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN)).isNull();
        assertThat(lookups).hasValue(2);
        assertFamilyGone(); // the rotated-away token presented again: reuse
    }

    @Test
    void findByTokenWhenAnotherTokenValueOrTypeThenTheMemoDoesNotAnswer() {
        issued();
        AtomicInteger lookups = new AtomicInteger();
        RefreshTokenReuseDetection detection = counting(lookups);
        inRequest(newRequest());
        assertThat(detection.findByToken("r1", OAuth2TokenType.REFRESH_TOKEN)).isNotNull();

        assertThat(detection.findByToken("r1x", OAuth2TokenType.REFRESH_TOKEN)).isNull();
        assertThat(detection.findByToken("r1", OAuth2TokenType.ACCESS_TOKEN)).isNull();
        assertThat(lookups).hasValue(3);
    }

    @Test
    void hashWhenTokenGivenThenLowerCaseHexSha256() {
        // FIPS 180-2 Appendix B.1.
        assertThat(RefreshTokenReuseDetection.hash("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
