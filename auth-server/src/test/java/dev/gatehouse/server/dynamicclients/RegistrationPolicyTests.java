package dev.gatehouse.server.dynamicclients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gatehouse.server.clients.ClientKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.OAuth2ClientRegistration;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

class RegistrationPolicyTests {

    /** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
    static final String DESCRIPTION_CHARSET = "[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*";

    final RegistrationPolicy policy = new RegistrationPolicy(
            DynamicRegistrationPropertiesTests.with(
                    List.of("authorization_code", "refresh_token"), List.of("none"), List.of()),
            Duration.ofMinutes(5),
            Duration.ofHours(1));

    @Test
    void excerptWhenQuoteBackslashOrControlThenReplaced() {
        assertThat(RegistrationPolicy.excerpt("a\"b\\c\u0001d'e")).isEqualTo("a?b?c?d?e");
    }

    @Test
    void checkWhenRefusedThenErrorDescriptionWithinRfc6749Charset() {
        for (OAuth2ClientRegistration request : List.of(
                OAuth2ClientRegistration.builder()
                        .redirectUri("http://127.0.0.1:4000/cb")
                        .tokenEndpointAuthenticationMethod("none")
                        .responseType("token")
                        .build(),
                OAuth2ClientRegistration.builder()
                        .redirectUri("https://a.example.test/\"\\cb#x")
                        .tokenEndpointAuthenticationMethod("none")
                        .build(),
                OAuth2ClientRegistration.builder()
                        .redirectUri("http://127.0.0.1:4000/cb")
                        .tokenEndpointAuthenticationMethod("none")
                        .scope("a\"b\\")
                        .build())) {
            OAuth2AuthenticationException e =
                    catchThrowableOfType(OAuth2AuthenticationException.class, () -> policy.check(request));
            String description = e.getError().getDescription();
            assertThat(description).doesNotContain("\"", "\\");
            // As written: the section signs spelled out, nothing outside the charset.
            assertThat(RegistrationResponses.safeDescription(description))
                    .matches(DESCRIPTION_CHARSET)
                    .doesNotContain("?3");
        }
    }

    @Test
    void safeDescriptionWhenOutsideRfc6749CharsetThenReplaced() {
        assertThat(RegistrationResponses.safeDescription("scope \"x\" \\ \u00e9\n§ ok"))
                .matches(DESCRIPTION_CHARSET);
    }

    @Test
    void checkWhenClientNameHasBidiOrFormatCharacterThenInvalidClientMetadata() {
        for (String name : List.of("Gatehouse\u202eAdmin", "Ad\u200bmin", "Admin\u2066", "a\u00adb")) {
            OAuth2AuthenticationException e = catchThrowableOfType(
                    OAuth2AuthenticationException.class,
                    () -> policy.check(OAuth2ClientRegistration.builder()
                            .clientName(name)
                            .redirectUri("http://127.0.0.1:4000/cb")
                            .tokenEndpointAuthenticationMethod("none")
                            .build()));
            assertThat(e).as(name).isNotNull();
            assertThat(e.getError().getErrorCode()).isEqualTo("invalid_client_metadata");
        }
    }

    final RegistrationPolicy keysPolicy = new RegistrationPolicy(
            DynamicRegistrationPropertiesTests.with(
                    List.of("authorization_code", "refresh_token", "client_credentials"),
                    List.of("none", "private_key_jwt"),
                    List.of()),
            Duration.ofMinutes(5),
            Duration.ofHours(1));

    static final Map<String, Object> PUBLIC_JWKS = Map.of(
            "keys",
            List.of(Map.of(
                    "kty", "EC",
                    "crv", "P-256",
                    "kid", "k1",
                    "x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                    "y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")));

    @Test
    void checkWhenPrivateKeyJwtWithJwksThenKeptAndNoSecret() {
        RegistrationPolicy.Metadata metadata = keysPolicy.check(OAuth2ClientRegistration.builder()
                .grantType("client_credentials")
                .tokenEndpointAuthenticationMethod("private_key_jwt")
                .claim("jwks", PUBLIC_JWKS)
                .build());
        assertThat(metadata.secret()).isFalse();
        assertThat(metadata.confidential()).isTrue();
        assertThat(metadata.keys().jwks()).contains("\"kid\":\"k1\"");
        RegisteredClient client = keysPolicy.newClient(metadata, "c1", java.time.Instant.EPOCH, null);
        assertThat(ClientKeys.jwks(client)).isPresent();
        assertThat(client.getClientSecret()).isNull();
        // An update keeps the keys it names, and an update naming a jwks_uri replaces the jwks.
        RegistrationPolicy.Metadata uri = keysPolicy.check(OAuth2ClientRegistration.builder()
                .grantType("client_credentials")
                .tokenEndpointAuthenticationMethod("private_key_jwt")
                .claim("jwks_uri", "https://93.184.215.14/jwks")
                .build());
        RegisteredClient updated = keysPolicy.updated(client, uri, null);
        assertThat(ClientKeys.jwks(updated)).isEmpty();
        assertThat(ClientKeys.jwksUri(updated)).contains("https://93.184.215.14/jwks");
        assertThat(ClientKeys.jwks(keysPolicy.updated(client, metadata, null))).isPresent();
    }

    @Test
    void checkWhenKeysMissingBothPrivateOrNotHttpsThenInvalidClientMetadata() {
        Map<String, Object> privateJwks = Map.of(
                "keys",
                List.of(Map.of(
                        "kty", "EC",
                        "crv", "P-256",
                        "x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                        "y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                        "d", "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI")));
        List<OAuth2ClientRegistration.Builder> requests = List.of(
                OAuth2ClientRegistration.builder(),
                OAuth2ClientRegistration.builder()
                        .claim("jwks", PUBLIC_JWKS)
                        .claim("jwks_uri", "https://keys.example.test/jwks"),
                OAuth2ClientRegistration.builder().claim("jwks", privateJwks),
                OAuth2ClientRegistration.builder().claim("jwks", "not an object"),
                OAuth2ClientRegistration.builder().claim("jwks_uri", "http://keys.example.test/jwks"),
                OAuth2ClientRegistration.builder().claim("jwks_uri", "http://127.0.0.1:9/jwks"));
        for (OAuth2ClientRegistration.Builder b : requests) {
            OAuth2ClientRegistration request = b.grantType("client_credentials")
                    .tokenEndpointAuthenticationMethod("private_key_jwt")
                    .build();
            OAuth2AuthenticationException e =
                    catchThrowableOfType(OAuth2AuthenticationException.class, () -> keysPolicy.check(request));
            assertThat(e).as(request.getClaims().toString()).isNotNull();
            assertThat(e.getError().getErrorCode()).isEqualTo("invalid_client_metadata");
            assertThat(e.getError().getDescription()).doesNotContain("jpsQnnGQ");
        }
    }

    @Test
    void checkWhenJwksUriOnPrivateAddressThenInvalidClientMetadata() {
        for (String uri : List.of(
                "https://10.0.0.8/jwks",
                "https://[fd00::1]/",
                "https://169.254.169.254/latest",
                "https://100.64.0.1/jwks",
                "https://[::ffff:10.0.0.1]/jwks",
                "https://[64:ff9b::a00:1]/jwks",
                "https://[2002:a00:1::]/jwks",
                "https://0.0.0.0/jwks",
                "https://localhost/jwks",
                // The back-channel logout URI's rules, now shared (PublicAddresses): reserved IPv4 ranges, local-use
                // NAT64, discard-only, and a name that does not resolve.
                "https://192.0.0.8/jwks",
                "https://198.18.0.1/jwks",
                "https://240.0.0.1/jwks",
                "https://[64:ff9b:1::1]/jwks",
                "https://[100::1]/jwks",
                "https://keys.invalid/jwks")) {
            OAuth2ClientRegistration request = OAuth2ClientRegistration.builder()
                    .claim("jwks_uri", uri)
                    .grantType("client_credentials")
                    .tokenEndpointAuthenticationMethod("private_key_jwt")
                    .build();
            OAuth2AuthenticationException e =
                    catchThrowableOfType(OAuth2AuthenticationException.class, () -> keysPolicy.check(request));
            assertThat(e).as(uri).isNotNull();
            assertThat(e.getError().getErrorCode()).isEqualTo("invalid_client_metadata");
        }
    }

    @Test
    void checkWhenHostIsNotPublicThenDescriptionDoesNotTellHowItResolvesButTheAuditMessageDoes() {
        List<String> descriptions = new java.util.ArrayList<>();
        for (String uri : List.of("https://10.0.0.8/jwks", "https://keys.invalid/jwks")) {
            OAuth2ClientRegistration request = OAuth2ClientRegistration.builder()
                    .claim("jwks_uri", uri)
                    .grantType("client_credentials")
                    .tokenEndpointAuthenticationMethod("private_key_jwt")
                    .build();
            OAuth2AuthenticationException e =
                    catchThrowableOfType(OAuth2AuthenticationException.class, () -> keysPolicy.check(request));
            descriptions.add(e.getError().getDescription());
            assertThat(e.getMessage())
                    .as(uri)
                    .startsWith("jwks_uri must name a public host (")
                    .endsWith(")");
        }
        for (String uri : List.of("https://10.0.0.8/logout", "https://logout.invalid/logout")) {
            OAuth2AuthenticationException e = catchThrowableOfType(
                    OAuth2AuthenticationException.class,
                    () -> policy.check(OAuth2ClientRegistration.builder()
                            .redirectUri("http://127.0.0.1:4000/cb")
                            .tokenEndpointAuthenticationMethod("none")
                            .claim("backchannel_logout_uri", uri)
                            .build()));
            assertThat(e.getError().getDescription()).as(uri).endsWith("' must name a public host");
            descriptions.add(e.getError().getDescription().replace(uri, "URI"));
            assertThat(e.getMessage())
                    .as(uri)
                    .startsWith(e.getError().getDescription() + " (")
                    .endsWith(")");
        }
        // Private, unresolvable: the registrant reads the same words either way.
        assertThat(descriptions.subList(0, 2)).containsOnly("jwks_uri must name a public host");
        assertThat(descriptions.subList(2, 4)).containsOnly("backchannel_logout_uri: 'URI' must name a public host");
    }
}
