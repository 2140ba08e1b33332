package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.authority.FactorGrantedAuthority;

class AuthenticationAgeTests {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void maxAgeWhenDigitsThenSeconds() {
        assertThat(AuthenticationAge.maxAge("0")).isEqualTo(Duration.ZERO);
        assertThat(AuthenticationAge.maxAge("3600")).isEqualTo(Duration.ofHours(1));
        assertThat(AuthenticationAge.maxAge("9999999999")).isEqualTo(Duration.ofSeconds(9_999_999_999L));
        assertThat(AuthenticationAge.maxAge(null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "+1", "1e3", "abc", " 1", "1.5", "99999999999", "١٢"})
    void maxAgeWhenNotANonNegativeIntegerThenRefused(String value) {
        assertThatIllegalArgumentException().isThrownBy(() -> AuthenticationAge.maxAge(value));
        assertThat(AuthenticationAge.maxAgeOrNull(value)).isNull();
    }

    @Test
    void maxAgeWhenRepeatedInAPushedRequestThenRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> AuthenticationAge.maxAge(new String[] {"1", "2"}));
    }

    @Test
    void promptsWhenSpaceSeparatedThenValues() {
        assertThat(AuthenticationAge.prompts("login consent")).containsExactlyInAnyOrder("login", "consent");
        assertThat(AuthenticationAge.prompts(null)).isEmpty();
        assertThat(AuthenticationAge.prompts(" ")).isEmpty();
    }

    @Test
    void signedInAtWhenSeveralFactorsThenEarliest() {
        Authentication user = user(
                FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY)
                        .issuedAt(T0)
                        .build(),
                FactorGrantedAuthority.withAuthority("FACTOR_OTP")
                        .issuedAt(T0.plusSeconds(50))
                        .build());
        assertThat(AuthenticationAge.signedInAt(user)).isEqualTo(T0);
        assertThat(AuthenticationAge.olderThan(user, Duration.ofSeconds(60), T0.plusSeconds(60)))
                .isFalse();
        assertThat(AuthenticationAge.olderThan(user, Duration.ofSeconds(60), T0.plusSeconds(61)))
                .isTrue();
    }

    @Test
    void olderThanWhenNoFactorTimeThenOlder() {
        Authentication user = UsernamePasswordAuthenticationToken.authenticated(
                "u", null, AuthorityUtils.createAuthorityList("ROLE_user"));
        assertThat(AuthenticationAge.signedInAt(user)).isNull();
        assertThat(AuthenticationAge.olderThan(user, Duration.ofDays(365), T0)).isTrue();
    }

    @Test
    void signedInWhenAnonymousOrAbsentThenFalse() {
        assertThat(AuthenticationAge.signedIn(null)).isFalse();
        assertThat(AuthenticationAge.signedIn(new AnonymousAuthenticationToken(
                        "k", "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"))))
                .isFalse();
        assertThat(AuthenticationAge.signedIn(user())).isTrue();
    }

    private static Authentication user(FactorGrantedAuthority... factors) {
        return UsernamePasswordAuthenticationToken.authenticated("u", null, List.of(factors));
    }
}
