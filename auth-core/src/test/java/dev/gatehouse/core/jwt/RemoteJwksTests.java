package dev.gatehouse.core.jwt;

import static dev.gatehouse.core.jwt.JwtTestSupport.ISSUER;
import static dev.gatehouse.core.jwt.JwtTestSupport.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.gatehouse.core.jwt.JwtTestSupport.MutableClock;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RemoteJwks against a real HTTP server on loopback. */
class RemoteJwksTests {

    private final MutableClock clock = new MutableClock(T0);
    private final KeyRing ring = JwtTestSupport.ring(JwsAlgorithm.ES256, clock);
    private final TokenIssuer issuer =
            TokenIssuer.builder(ring, ISSUER).clock(clock).build();
    private JwksServer server;
    private RemoteJwks remote;
    private TokenVerifier verifier;

    @BeforeEach
    void start() throws Exception {
        ring.activeKey();
        server = new JwksServer(ring::jwksJson);
        remote = RemoteJwks.builder(server.uri())
                .clock(clock)
                .cacheTtl(Duration.ofMinutes(5))
                .minRefreshInterval(Duration.ofSeconds(30))
                .timeout(Duration.ofSeconds(2))
                .build();
        verifier = TokenVerifier.builder()
                .remoteJwks(remote)
                .issuer(ISSUER)
                .audience("api")
                .accessTokens()
                .clock(clock)
                .build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String token() {
        return issuer.accessToken(AccessTokenRequest.builder("alice", "web")
                        .audience("api")
                        .build())
                .value();
    }

    @Test
    void verifyWhenKeysCachedThenOneFetchForManyTokens() {
        for (int i = 0; i < 20; i++) {
            assertThat(verifier.verify(token()).subject()).contains("alice");
        }

        assertThat(server.hits()).isEqualTo(1);
        assertThat(remote.fetchCount()).isEqualTo(1);
    }

    @Test
    void verifyWhenIssuerRotatedThenPrepublishedKeyNeedsNoFetchAndUnknownKidTriggersOneRefresh() {
        verifier.verify(token());
        clock.advance(Duration.ofMinutes(1));

        ring.rotateNow(); // the NEXT key, already in the fetched JWKS, becomes active
        assertThat(verifier.verify(token()).subject()).contains("alice");
        assertThat(server.hits()).isEqualTo(1);

        ring.rotateNow(); // a key generated after the fetch: unknown kid, one refresh
        assertThat(verifier.verify(token()).subject()).contains("alice");
        assertThat(server.hits()).isEqualTo(2);
    }

    @Test
    void verifyWhenFloodOfBogusKidsThenRefreshesAtMostOncePerInterval() throws Exception {
        verifier.verify(token());
        clock.advance(Duration.ofMinutes(1));
        RSAKey attacker = new RSAKeyGenerator(2048).generate();
        TokenVerifier rsaVerifier =
                TokenVerifier.builder().remoteJwks(remote).clock(clock).build();

        for (int i = 0; i < 200; i++) {
            String bogus = JwtTestSupport.sign(
                    attacker,
                    JwtTestSupport.header(JWSAlgorithm.RS256, "bogus-" + i).build(),
                    JwtTestSupport.accessClaims(T0));
            assertThatThrownBy(() -> rsaVerifier.verify(bogus))
                    .isInstanceOfSatisfying(
                            TokenException.class,
                            e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.KEY_NOT_FOUND));
        }

        assertThat(server.hits()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(31));
        assertThatThrownBy(() -> rsaVerifier.verify(JwtTestSupport.sign(
                        attacker,
                        JwtTestSupport.header(JWSAlgorithm.RS256, "late").build(),
                        JwtTestSupport.accessClaims(T0))))
                .isInstanceOf(TokenException.class);
        assertThat(server.hits()).isEqualTo(3);
    }

    @Test
    void verifyWhenEndpointFailsAndNothingCachedThenJwksUnavailable() {
        server.status(500);

        assertThatThrownBy(() -> verifier.verify(token()))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.JWKS_UNAVAILABLE));
    }

    @Test
    void verifyWhenEndpointFailsLaterThenCachedKeysKeepWorking() {
        verifier.verify(token());
        server.status(503);
        clock.advance(Duration.ofMinutes(6)); // cache expired: refresh fails, known keys stay

        assertThat(verifier.verify(token()).subject()).contains("alice");
    }

    @Test
    void verifyWhenEndpointTooSlowThenTimesOutAsUnavailable() {
        server.delay(3_000);
        RemoteJwks slow = RemoteJwks.builder(server.uri())
                .timeout(Duration.ofMillis(300))
                .clock(clock)
                .build();
        TokenVerifier v = TokenVerifier.builder().remoteJwks(slow).clock(clock).build();

        assertThatThrownBy(() -> v.verify(token()))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.JWKS_UNAVAILABLE));
    }

    @Test
    void builderWhenPlainHttpToRemoteHostThenRefused() {
        assertThatThrownBy(() -> RemoteJwks.builder(URI.create("http://login.example.com/jwks")))
                .isInstanceOf(TokenException.class)
                .hasMessageContaining("https");
    }
}
