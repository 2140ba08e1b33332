package dev.gatehouse.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.mfa.InMemoryTotpFactorStore;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.server.mfa.MfaPolicy;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

class FactorsTests {

    private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
    private static final Duration MAX_AGE = Duration.ofMinutes(5);

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final TotpService totp = TotpService.builder()
            .issuer("Test")
            .envelope(Envelope.of(MasterKey.generate(new SecureRandom())))
            .store(new InMemoryTotpFactorStore())
            .clock(clock)
            .build();
    private final MfaPolicy policy = new MfaPolicy(
            totp,
            new InMemoryRegisteredClientRepository(RegisteredClient.withId("c")
                    .clientId("c")
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                    .build()));
    private final Factors factors = new Factors(policy, clock, MAX_AGE);

    @Test
    void freshWhenPasswordYoungerThanMaxAgeThenFresh() {
        assertThat(factors.fresh(user("alice", password(NOW.minusSeconds(299)))))
                .isTrue();
        assertThat(factors.fresh(user("alice", password(NOW.minus(MAX_AGE))))).isTrue();
    }

    @Test
    void freshWhenPasswordOlderThanMaxAgeThenStale() {
        assertThat(factors.fresh(user("alice", password(NOW.minus(MAX_AGE).minusMillis(1)))))
                .isFalse();
    }

    @Test
    void freshWhenNoFactorAtAllThenStale() {
        assertThat(factors.fresh(user("alice", new SimpleGrantedAuthority("ROLE_user"))))
                .isFalse();
    }

    @Test
    void freshWhenUserHasTotpThenBothFactorsMustBeYoung() {
        enrol("bob");
        assertThat(factors.fresh(user("bob", password(NOW)))).isFalse();
        assertThat(factors.fresh(user("bob", password(NOW), otp(NOW.minusSeconds(10)))))
                .isTrue();
        // The earliest factor counts: a young password does not make an old code young.
        assertThat(factors.fresh(user("bob", password(NOW), otp(NOW.minus(Duration.ofMinutes(6))))))
                .isFalse();
    }

    private void enrol(String name) {
        TotpSecret key = TotpSecret.fromBase32(totp.enrol(name, name).secretBase32());
        assertThat(totp.confirm(name, Totp.of(TotpParameters.defaults()).code(key, NOW))
                        .accepted())
                .isTrue();
    }

    private static GrantedAuthority password(Instant at) {
        return FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY)
                .issuedAt(at)
                .build();
    }

    private static GrantedAuthority otp(Instant at) {
        return FactorGrantedAuthority.withAuthority(MfaPolicy.OTP_AUTHORITY)
                .issuedAt(at)
                .build();
    }

    private static Authentication user(String name, GrantedAuthority... authorities) {
        return UsernamePasswordAuthenticationToken.authenticated(name, null, new ArrayList<>(List.of(authorities)));
    }
}
