package dev.gatehouse.server.passkeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Start-up resolution and checks of the relying party settings (WebAuthn Level 3 §5.1.2, §5.1.3). */
class PasskeyRelyingPartySettingsTests {

    private static PasskeyProperties properties(
            @Nullable String rpId, @Nullable String rpName, List<String> origins, List<String> aaguids) {
        return new PasskeyProperties(true, rpId, rpName, origins, aaguids, false);
    }

    private static PasskeyRelyingPartySettings resolve(
            @Nullable String rpId, List<String> origins, @Nullable String issuer) {
        return PasskeyRelyingPartySettings.resolve(properties(rpId, null, origins, List.of()), issuer, "Gatehouse");
    }

    @Test
    void resolveWhenOnlyIssuerThenIssuerHostOriginAndProductName() {
        PasskeyRelyingPartySettings settings = resolve(null, List.of(), "https://Login.Example.com/realm");

        assertThat(settings.rpId()).isEqualTo("login.example.com");
        assertThat(settings.rpName()).isEqualTo("Gatehouse");
        assertThat(settings.allowedOrigins()).containsExactly("https://login.example.com");
        assertThat(settings.originsOnPort(8443)).containsExactly("https://login.example.com");
    }

    @Test
    void resolveWhenIssuerHasPortThenOriginKeepsItAndDropsDefaultPort() {
        assertThat(resolve(null, List.of(), "https://login.example.com:8443").allowedOrigins())
                .containsExactly("https://login.example.com:8443");
        assertThat(resolve(null, List.of(), "https://login.example.com:443/").allowedOrigins())
                .containsExactly("https://login.example.com");
    }

    @Test
    void resolveWhenRpIdIsParentDomainThenAccepted() {
        PasskeyRelyingPartySettings settings = resolve(
                "Example.com",
                List.of("https://login.example.com", "https://app.example.com"),
                "https://login.example.com");

        assertThat(settings.rpId()).isEqualTo("example.com");
        assertThat(settings.allowedOrigins()).containsExactly("https://login.example.com", "https://app.example.com");
    }

    @Test
    void resolveWhenRpIdDoesNotCoverIssuerHostThenStopsNamingProperty() {
        assertThatThrownBy(() -> resolve("other.example", List.of(), "https://login.example.com"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gatehouse.server.passkeys.rp-id=other.example does not cover the issuer's host"
                        + " login.example.com (WebAuthn Level 3 §5.1.2)");
        // A suffix that is not at a dot boundary does not cover either.
        assertThatThrownBy(() -> resolve("ample.com", List.of(), "https://login.example.com"))
                .hasMessageContaining("does not cover");
    }

    @Test
    void resolveWhenRpIdIsTopLevelDomainOrNotADomainThenStops() {
        assertThatThrownBy(() -> resolve("com", List.of(), "https://login.example.com"))
                .hasMessageContaining("rp-id=com");
        assertThatThrownBy(() -> resolve("https://login.example.com", List.of(), "https://login.example.com"))
                .hasMessageContaining("is not a domain name");
        assertThatThrownBy(() -> resolve("login.example.com:8443", List.of(), "https://login.example.com"))
                .hasMessageContaining("is not a domain name");
    }

    /** WebAuthn Level 3 §5.1.2 and the HTML Standard's registrable domain rule, by the Public Suffix List. */
    @ParameterizedTest
    @CsvSource({
        // rp-id, issuer: public suffixes (ICANN and private sections) are refused as an rpId above the host.
        "co.uk, https://login.example.co.uk",
        "github.io, https://gatehouse.github.io",
        "com.au, https://id.shop.com.au",
        "s3.amazonaws.com, https://bucket.s3.amazonaws.com"
    })
    void resolveWhenRpIdIsPublicSuffixThenStopsNamingProperty(String rpId, String issuer) {
        assertThatThrownBy(() -> resolve(rpId, List.of(), issuer))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gatehouse.server.passkeys.rp-id=" + rpId + " is a public suffix")
                .hasMessageContaining("WebAuthn Level 3 §5.1.2");
    }

    @ParameterizedTest
    @CsvSource({
        // rp-id, issuer: registrable domains (and the host itself) are accepted.
        "example.co.uk, https://login.example.co.uk",
        "gatehouse.github.io, https://login.gatehouse.github.io",
        "gatehouse.github.io, https://gatehouse.github.io",
        "localhost, http://localhost:9000"
    })
    void resolveWhenRpIdIsRegistrableDomainOrTheHostThenAccepted(String rpId, String issuer) {
        assertThat(resolve(rpId, List.of(), issuer).rpId()).isEqualTo(rpId);
    }

    @Test
    void resolveWhenNoIssuerAndOriginsUnderAPublicSuffixRpIdThenStops() {
        assertThatThrownBy(() -> resolve("github.io", List.of("https://gatehouse.github.io"), null))
                .hasMessageContaining("rp-id=github.io is a public suffix");
        assertThat(resolve("localhost", List.of(), null).rpId()).isEqualTo("localhost");
    }

    @Test
    void resolveWhenOriginNotCoveredByRpIdThenStops() {
        assertThatThrownBy(() -> resolve(null, List.of("https://evil.example"), "https://login.example.com"))
                .hasMessageContaining("gatehouse.server.passkeys.allowed-origins")
                .hasMessageContaining("not covered by the rpId login.example.com");
    }

    @Test
    void resolveWhenOriginHasPathQueryOrUserThenStops() {
        for (String origin : List.of(
                "https://login.example.com/",
                "https://login.example.com/path",
                "https://login.example.com?x=1",
                "https://user@login.example.com",
                "login.example.com",
                "not a url")) {
            assertThatThrownBy(() -> resolve(null, List.of(origin), "https://login.example.com"))
                    .as(origin)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("gatehouse.server.passkeys.allowed-origins");
        }
    }

    @Test
    void resolveWhenHttpOriginThenOnlyForLocalhost() {
        assertThatThrownBy(() -> resolve(null, List.of("http://login.example.com"), "https://login.example.com"))
                .hasMessageContaining("is not https");
        assertThatThrownBy(() -> resolve(null, List.of(), "http://login.example.com"))
                .hasMessageContaining("is not https")
                .hasMessageContaining("gatehouse.server.passkeys.enabled=false");
        assertThat(resolve(null, List.of(), "http://localhost:9000").allowedOrigins())
                .containsExactly("http://localhost:9000");
        assertThat(resolve(null, List.of("http://[::1]:9000"), "http://[::1]:9000")
                        .allowedOrigins())
                .containsExactly("http://[::1]:9000");
    }

    @Test
    void resolveWhenNoIssuerThenLocalhostOnTheServerPort() {
        PasskeyRelyingPartySettings settings = resolve(null, List.of(), null);

        assertThat(settings.rpId()).isEqualTo("localhost");
        assertThat(settings.allowedOrigins()).isEmpty();
        assertThat(settings.originsOnPort(51234)).containsExactly("http://localhost:51234");
        assertThatThrownBy(() -> settings.originsOnPort(0))
                .hasMessageContaining("gatehouse.server.passkeys.allowed-origins");
    }

    @Test
    void resolveWhenNoIssuerButOriginsConfiguredThenThose() {
        PasskeyRelyingPartySettings settings = resolve(null, List.of("http://localhost:8080"), null);

        assertThat(settings.originsOnPort(51234)).containsExactly("http://localhost:8080");
    }

    @Test
    void resolveWhenRpNameConfiguredThenItElseProductName() {
        assertThat(PasskeyRelyingPartySettings.resolve(
                                properties(null, " Acme Login ", List.of(), List.of()), null, "Gatehouse")
                        .rpName())
                .isEqualTo("Acme Login");
        assertThatThrownBy(() -> PasskeyRelyingPartySettings.resolve(
                        properties(null, "bad\u0000name", List.of(), List.of()), null, "Gatehouse"))
                .hasMessageContaining("gatehouse.server.passkeys.rp-name");
    }

    @Test
    void aaguidsWhenUuidsThenParsedElseStopsNamingProperty() {
        UUID id = UUID.fromString("08987058-cadc-4b81-b6e1-30de50dcbe96");
        assertThat(PasskeyRelyingPartySettings.aaguids(List.of(" 08987058-CADC-4b81-b6e1-30de50dcbe96 ")))
                .containsExactly(id);
        assertThatThrownBy(() -> PasskeyRelyingPartySettings.aaguids(List.of("yubikey")))
                .hasMessageContaining("gatehouse.server.passkeys.allowed-aaguids=yubikey");
        assertThatThrownBy(() -> PasskeyRelyingPartySettings.aaguids(List.of("1-2-3-4-5")))
                .hasMessageContaining("allowed-aaguids");
    }
}
