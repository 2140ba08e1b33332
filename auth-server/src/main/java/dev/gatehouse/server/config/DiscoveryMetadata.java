package dev.gatehouse.server.config;

import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.server.clients.ClientAssertions;
import dev.gatehouse.server.clients.RegisteredScopes;
import dev.gatehouse.server.dynamicclients.DynamicRegistration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationServerMetadataClaimNames;

/**
 * What both discovery documents ({@code /.well-known/openid-configuration}, OpenID Connect Discovery 1.0 §3, and
 * {@code /.well-known/oauth-authorization-server}, RFC 8414 §2) say beyond Spring Authorization Server's defaults,
 * so that they advertise exactly what works:
 *
 * <ul>
 *   <li>Client authentication: clients are registered (admin API, demo) with {@code client_secret_basic} and {@code
 *       client_secret_post}, with {@code private_key_jwt} or {@code client_secret_jwt} (RFC 7523, {@link
 *       ClientAssertions}; their algorithms, asymmetric and HS256/HS384/HS512, in {@code
 *       *_endpoint_auth_signing_alg_values_supported}), or as public clients ({@code none}, token endpoint with PKCE
 *       only); mTLS is switched off at the endpoints too ({@link ProtocolEndpoints}), so {@code tls_client_auth},
 *       {@code self_signed_tls_client_auth} and {@code tls_client_certificate_bound_access_tokens} (RFC 8705 §3.3) are
 *       not advertised. Introspection
 *       and revocation take confidential clients only (Spring Authorization Server authenticates public clients only
 *       for a code exchange with PKCE).
 *   <li>{@code scopes_supported}: the scopes some registered client may be granted ({@link RegisteredScopes}).
 *   <li>{@code authorization_response_iss_parameter_supported}: every authorization response carries {@code iss}
 *       (RFC 9207 §3, {@link IssuerAuthorizationResponses}).
 *   <li>{@code response_modes_supported}: {@code query} only (OAuth 2.1, no fragment or form_post).
 *   <li>Signed request objects (RFC 9101 §10.5): by value ({@code request_parameter_supported}), not by reference
 *       other than PAR's ({@code request_uri_parameter_supported} false), asymmetric algorithms only ({@link
 *       RequestObjectFilter}).
 *   <li>OpenID Connect only: {@code prompt_values_supported} {@code none} (Spring Authorization Server) and {@code
 *       login} (re-authentication), {@code claims_supported}, the claims ID tokens and UserInfo carry, and {@code
 *       ui_locales_supported}, the languages the pages are offered in ({@code gatehouse.server.ui.locales}), which an
 *       authorization request's {@code ui_locales} chooses from.
 * </ul>
 *
 * Unchanged and true: {@code code_challenge_methods_supported} (S256 only), {@code grant_types_supported} (the five
 * grants the admin API registers), {@code response_types_supported} ({@code code}), {@code
 * dpop_signing_alg_values_supported} (the RSA and EC algorithms Spring Security's DPoP proof verifier accepts),
 * {@code id_token_signing_alg_values_supported} ({@code RS256}, the key ring's algorithm).
 */
final class DiscoveryMetadata {

    /** RFC 9207 §3. */
    static final String ISS_PARAMETER_SUPPORTED = "authorization_response_iss_parameter_supported";

    static final List<String> TOKEN_ENDPOINT_AUTH_METHODS = List.of(
            ClientAuthenticationMethod.CLIENT_SECRET_BASIC.getValue(),
            ClientAuthenticationMethod.CLIENT_SECRET_POST.getValue(),
            ClientAuthenticationMethod.PRIVATE_KEY_JWT.getValue(),
            ClientAuthenticationMethod.CLIENT_SECRET_JWT.getValue(),
            ClientAuthenticationMethod.NONE.getValue());

    static final List<String> CONFIDENTIAL_CLIENT_AUTH_METHODS = List.of(
            ClientAuthenticationMethod.CLIENT_SECRET_BASIC.getValue(),
            ClientAuthenticationMethod.CLIENT_SECRET_POST.getValue(),
            ClientAuthenticationMethod.PRIVATE_KEY_JWT.getValue(),
            ClientAuthenticationMethod.CLIENT_SECRET_JWT.getValue());

    /** RFC 8414 §2: the algorithms of {@code private_key_jwt} assertions ({@link ClientAssertions#ALGORITHMS}). */
    static final List<String> AUTH_SIGNING_ALGORITHMS =
            ClientAssertions.ALGORITHMS.stream().map(JwsAlgorithm::joseName).toList();

    /**
     * RFC 8414 §2 / OIDC Discovery §3: the algorithms of client authentication JWTs, {@code private_key_jwt}'s and
     * {@code client_secret_jwt}'s ({@link ClientAssertions#SECRET_ALGORITHMS}); request objects take only the former.
     */
    static final List<String> CLIENT_ASSERTION_ALGORITHMS = java.util.stream.Stream.concat(
                    AUTH_SIGNING_ALGORITHMS.stream(), ClientAssertions.SECRET_ALGORITHMS.stream())
            .toList();

    /** OpenID Connect Core 1.0 §2 and §5.1 claims of our ID tokens; UserInfo answers {@code sub}. */
    static final List<String> CLAIMS =
            List.of("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid");

    private final RegisteredScopes scopes;
    private final List<String> uiLocales;
    private final boolean registrationEnabled;

    DiscoveryMetadata(RegisteredScopes scopes, List<String> uiLocales) {
        this(scopes, uiLocales, false);
    }

    DiscoveryMetadata(RegisteredScopes scopes, List<String> uiLocales, boolean registrationEnabled) {
        this.scopes = Objects.requireNonNull(scopes, "scopes must not be null");
        this.uiLocales = List.copyOf(Objects.requireNonNull(uiLocales, "uiLocales must not be null"));
        this.registrationEnabled = registrationEnabled;
    }

    /** Applies to both documents. */
    void customize(Map<String, Object> claims) {
        claims.put(
                OAuth2AuthorizationServerMetadataClaimNames.TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED,
                new ArrayList<>(TOKEN_ENDPOINT_AUTH_METHODS));
        claims.put(
                OAuth2AuthorizationServerMetadataClaimNames.INTROSPECTION_ENDPOINT_AUTH_METHODS_SUPPORTED,
                new ArrayList<>(CONFIDENTIAL_CLIENT_AUTH_METHODS));
        claims.put(
                OAuth2AuthorizationServerMetadataClaimNames.REVOCATION_ENDPOINT_AUTH_METHODS_SUPPORTED,
                new ArrayList<>(CONFIDENTIAL_CLIENT_AUTH_METHODS));
        claims.remove(OAuth2AuthorizationServerMetadataClaimNames.TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS);
        privateKeyJwt(claims);
        signedRequestObjects(claims);
        claims.put(OAuth2AuthorizationServerMetadataClaimNames.SCOPES_SUPPORTED, new ArrayList<>(scopes.scopes()));
        claims.put("response_modes_supported", new ArrayList<>(List.of("query")));
        claims.put(ISS_PARAMETER_SUPPORTED, true);
    }

    /** RFC 8414 §2 algorithms of {@code private_key_jwt} and {@code client_secret_jwt} at each endpoint taking them. */
    private static void privateKeyJwt(Map<String, Object> claims) {
        for (String endpoint : List.of("token", "introspection", "revocation")) {
            claims.put(
                    endpoint + "_endpoint_auth_signing_alg_values_supported",
                    new ArrayList<>(CLIENT_ASSERTION_ALGORITHMS));
        }
    }

    /** RFC 9101 §10.5 / OIDC Discovery §3: request objects by value, signed asymmetrically; by reference only PAR. */
    private static void signedRequestObjects(Map<String, Object> claims) {
        claims.put("request_parameter_supported", true);
        claims.put("request_uri_parameter_supported", false);
        claims.put("request_object_signing_alg_values_supported", new ArrayList<>(AUTH_SIGNING_ALGORITHMS));
    }

    /** Applies to the OpenID Connect document only (OpenID Connect Discovery 1.0 §3). */
    void customizeOidc(Map<String, Object> claims) {
        customize(claims);
        // OpenID Connect Discovery 1.0 §3 / RFC 8414 §2: only while dynamic registration is on. Spring Authorization
        // Server names it in the RFC 8414 document itself (its registration endpoint configured), not in this one.
        Object issuer = claims.get("issuer");
        if (registrationEnabled && issuer != null) {
            String base = issuer.toString();
            claims.put(
                    "registration_endpoint",
                    (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                            + DynamicRegistration.REGISTRATION_PATH);
        }
        claims.put("claims_supported", new ArrayList<>(CLAIMS));
        claims.put("prompt_values_supported", new ArrayList<>(List.of("none", "login")));
        claims.put("ui_locales_supported", new ArrayList<>(uiLocales));
        // OpenID Connect Back-Channel Logout 1.0 §2.1: logout tokens to a client's backchannel_logout_uri, with sid.
        claims.put("backchannel_logout_supported", true);
        claims.put("backchannel_logout_session_supported", true);
    }
}
