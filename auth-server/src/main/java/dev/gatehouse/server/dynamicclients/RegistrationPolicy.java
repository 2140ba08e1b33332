package dev.gatehouse.server.dynamicclients;

import dev.gatehouse.server.clients.ClientAssertions;
import dev.gatehouse.server.clients.ClientKeys;
import dev.gatehouse.server.clients.PublicAddresses;
import dev.gatehouse.server.logout.BackchannelLogoutUris;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.server.authorization.AbstractOAuth2ClientRegistration;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.ConfigurationSettingNames;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The registration policy ({@link DynamicRegistrationProperties}): checks a client's metadata (RFC 7591 §2) and
 * turns it into a {@link RegisteredClient} set up like the clients the admin API registers: PKCE required (OAuth 2.1
 * §4.1.1), consent asked, self-contained access tokens, refresh tokens rotated, codes valid for 2 minutes, and the
 * policy's resources (RFC 8707) in its settings. Refusals are RFC 7591 §3.2.2 errors that name the offending field
 * but never echo a value longer than a short excerpt.
 */
final class RegistrationPolicy {

    /** The client setting of the resources a client may ask tokens for (RFC 8707), a {@code List<String>}. */
    static final String RESOURCES_SETTING = "settings.client.gatehouse.resources";

    /** Marks a client registered through RFC 7591 (shown to operators; such a client can be managed per RFC 7592). */
    static final String DYNAMIC_SETTING = "settings.client.gatehouse.dynamically-registered";

    static final String INVALID_REDIRECT_URI = "invalid_redirect_uri";
    static final String INVALID_CLIENT_METADATA = "invalid_client_metadata";
    static final String INVALID_SOFTWARE_STATEMENT = "invalid_software_statement";
    private static final String ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc7591#section-3.2.2";

    private final DynamicRegistrationProperties policy;
    private final Duration accessTokenLifetime;
    private final Duration refreshTokenLifetime;

    RegistrationPolicy(
            DynamicRegistrationProperties policy, Duration accessTokenLifetime, Duration refreshTokenLifetime) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.accessTokenLifetime = Objects.requireNonNull(accessTokenLifetime, "accessTokenLifetime must not be null");
        this.refreshTokenLifetime =
                Objects.requireNonNull(refreshTokenLifetime, "refreshTokenLifetime must not be null");
    }

    /**
     * The metadata after the policy's checks and defaults.
     *
     * @param clientName the name, or {@code null} for none
     * @param grantTypes the grants
     * @param authenticationMethod the token endpoint authentication method
     * @param redirectUris the redirect URIs
     * @param scopes the scopes
     * @param backchannelLogoutUri OIDC Back-Channel Logout 1.0 §2.2, or {@code null}
     * @param backchannelLogoutSessionRequired §2.2, false when absent
     */
    record Metadata(
            @Nullable String clientName,
            List<String> grantTypes,
            String authenticationMethod,
            List<String> redirectUris,
            List<String> scopes,
            @Nullable String backchannelLogoutUri,
            boolean backchannelLogoutSessionRequired,
            Keys keys) {

        Metadata(
                @Nullable String clientName,
                List<String> grantTypes,
                String authenticationMethod,
                List<String> redirectUris,
                List<String> scopes) {
            this(clientName, grantTypes, authenticationMethod, redirectUris, scopes, null, false, new Keys(null, null));
        }

        boolean confidential() {
            return !ClientAuthenticationMethod.NONE.getValue().equals(authenticationMethod);
        }

        /** Whether the client authenticates with {@code client_secret_jwt} (RFC 7523 §2.2): its secret also sealed. */
        boolean secretJwt() {
            return ClientAuthenticationMethod.CLIENT_SECRET_JWT.getValue().equals(authenticationMethod);
        }

        /** Whether the client authenticates with a secret (confidential, and not with its keys). */
        boolean secret() {
            return confidential()
                    && !ClientAuthenticationMethod.PRIVATE_KEY_JWT.getValue().equals(authenticationMethod);
        }
    }

    /**
     * The client's public keys (RFC 7591 §2 {@code jwks}, {@code jwks_uri}), checked by {@link ClientKeys}; at most one.
     *
     * @param jwks the stored form of a JWK Set by value, or null
     * @param jwksUri the {@code jwks_uri}, or null
     */
    record Keys(@Nullable String jwks, @Nullable String jwksUri) {}

    /**
     * Checks a registration or update request (RFC 7591 §2, §3.2.2).
     *
     * @param request the client metadata
     * @return the metadata with defaults applied
     * @throws OAuth2AuthenticationException {@code invalid_redirect_uri}, {@code invalid_client_metadata} or {@code
     *     invalid_software_statement}
     */
    Metadata check(AbstractOAuth2ClientRegistration request) {
        Map<String, Object> claims = request.getClaims();
        if (claims.containsKey("software_statement")) {
            // RFC 7591 §2.3: software statements are optional; this server trusts no issuer of them.
            throw error(INVALID_SOFTWARE_STATEMENT, "software statements are not accepted by this server");
        }
        String name = request.getClientName();
        if (name != null) {
            if (name.isBlank() || name.length() > policy.maxClientNameLength()) {
                throw error(
                        INVALID_CLIENT_METADATA,
                        "client_name must be 1 to " + policy.maxClientNameLength() + " characters");
            }
            // Control and format characters (Unicode Cc, Cf: bidi overrides and isolates, zero-width characters)
            // could make the name shown on the consent page read as another client's.
            if (name.codePoints()
                    .anyMatch(c ->
                            Character.getType(c) == Character.CONTROL || Character.getType(c) == Character.FORMAT)) {
                throw error(
                        INVALID_CLIENT_METADATA, "client_name must not contain control or format (bidi) characters");
            }
        }
        // RFC 7591 §2: grant_types defaults to authorization_code, response_types to code.
        List<String> grants =
                request.getGrantTypes() == null || request.getGrantTypes().isEmpty()
                        ? List.of(AuthorizationGrantType.AUTHORIZATION_CODE.getValue())
                        : List.copyOf(new LinkedHashSet<>(request.getGrantTypes()));
        for (String grant : grants) {
            if (!policy.grantTypes().contains(grant)) {
                throw error(
                        INVALID_CLIENT_METADATA,
                        "grant_types: '" + excerpt(grant) + "' is not allowed here; allowed: " + policy.grantTypes());
            }
        }
        boolean code = grants.contains(AuthorizationGrantType.AUTHORIZATION_CODE.getValue());
        if (grants.contains(AuthorizationGrantType.REFRESH_TOKEN.getValue()) && !code) {
            throw error(INVALID_CLIENT_METADATA, "grant_types: refresh_token needs authorization_code");
        }
        List<String> responseTypes =
                request.getResponseTypes() == null || request.getResponseTypes().isEmpty()
                        ? (code ? List.of("code") : List.of())
                        : List.copyOf(new LinkedHashSet<>(request.getResponseTypes()));
        // RFC 7591 §2.1: response_types and grant_types must agree; only "code" exists here (OAuth 2.1).
        if (!responseTypes.equals(code ? List.of("code") : List.of())) {
            throw error(
                    INVALID_CLIENT_METADATA,
                    "response_types must be code with the authorization_code grant and empty without it");
        }
        // RFC 7591 §2: the default method is client_secret_basic.
        String method = request.getTokenEndpointAuthenticationMethod() == null
                ? ClientAuthenticationMethod.CLIENT_SECRET_BASIC.getValue()
                : request.getTokenEndpointAuthenticationMethod();
        if (!policy.tokenEndpointAuthMethods().contains(method)) {
            throw error(
                    INVALID_CLIENT_METADATA,
                    "token_endpoint_auth_method: '" + excerpt(method) + "' is not allowed here; allowed: "
                            + policy.tokenEndpointAuthMethods());
        }
        if (ClientAuthenticationMethod.NONE.getValue().equals(method)
                && grants.contains(AuthorizationGrantType.CLIENT_CREDENTIALS.getValue())) {
            throw error(INVALID_CLIENT_METADATA, "client_credentials needs a confidential client");
        }
        List<String> redirectUris = request.getRedirectUris() == null
                ? List.of()
                : List.copyOf(new LinkedHashSet<>(request.getRedirectUris()));
        if (code && redirectUris.isEmpty()) {
            throw error(INVALID_REDIRECT_URI, "redirect_uris is required with the authorization_code grant");
        }
        if (!code && !redirectUris.isEmpty()) {
            throw error(INVALID_REDIRECT_URI, "redirect_uris only with the authorization_code grant");
        }
        if (redirectUris.size() > policy.maxRedirectUris()) {
            throw error(INVALID_REDIRECT_URI, "at most " + policy.maxRedirectUris() + " redirect_uris");
        }
        for (String uri : redirectUris) {
            Optional<String> problem = RegistrationRedirectUris.problem(uri);
            if (problem.isPresent()) {
                throw error(INVALID_REDIRECT_URI, "redirect_uris: '" + excerpt(uri) + "' " + problem.get());
            }
        }
        List<String> scopes = request.getScopes() == null || request.getScopes().isEmpty()
                ? policy.scopes()
                : List.copyOf(new LinkedHashSet<>(request.getScopes()));
        for (String scope : scopes) {
            if (!policy.scopes().contains(scope)) {
                throw error(
                        INVALID_CLIENT_METADATA,
                        "scope: '" + excerpt(scope) + "' is beyond what may be registered" + " here; allowed: "
                                + policy.scopes());
            }
        }
        @Nullable String backchannelLogoutUri = backchannelLogoutUri(claims);
        signingAlgorithm(claims, method);
        return new Metadata(
                name,
                grants,
                method,
                redirectUris,
                scopes,
                backchannelLogoutUri,
                backchannelLogoutUri != null && backchannelLogoutSessionRequired(claims),
                keys(request, method));
    }

    /**
     * OIDC Back-Channel Logout 1.0 §2.2 {@code backchannel_logout_uri}: absolute, no fragment, https, and its host
     * public ({@link BackchannelLogoutUris#problem}: a self-registered client must not make this server post to its
     * own network).
     */
    private static @Nullable String backchannelLogoutUri(Map<String, Object> claims) {
        Object value = claims.get("backchannel_logout_uri");
        if (value == null) {
            return null;
        }
        if (!(value instanceof String uri)) {
            throw error(INVALID_CLIENT_METADATA, "backchannel_logout_uri must be a string");
        }
        Optional<String> problem = BackchannelLogoutUris.problem(uri, true);
        if (problem.isPresent()) {
            String described = "backchannel_logout_uri: '" + excerpt(uri) + "' ";
            if (problem.get().startsWith(BackchannelLogoutUris.NOT_PUBLIC)) {
                String reason = problem.get()
                        .substring(BackchannelLogoutUris.NOT_PUBLIC.length())
                        .replaceFirst("^: ", "");
                throw error(INVALID_CLIENT_METADATA, described + BackchannelLogoutUris.NOT_PUBLIC, reason);
            }
            throw error(INVALID_CLIENT_METADATA, described + problem.get());
        }
        return uri;
    }

    /** §2.2 {@code backchannel_logout_session_required}: a boolean, false when absent. */
    private static boolean backchannelLogoutSessionRequired(Map<String, Object> claims) {
        Object value = claims.get("backchannel_logout_session_required");
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean required)) {
            throw error(INVALID_CLIENT_METADATA, "backchannel_logout_session_required must be true or false");
        }
        return required;
    }

    /**
     * RFC 7591 §2 {@code jwks} / {@code jwks_uri}: never both; one of them for {@code private_key_jwt} (RFC 7523 §2.2);
     * a public JWK Set only, a {@code jwks_uri} on https ({@link ClientKeys}).
     */
    private static Keys keys(AbstractOAuth2ClientRegistration request, String method) {
        Object jwks = request.getClaims().get("jwks");
        Object jwksUri = request.getClaims().get("jwks_uri");
        if (jwks != null && jwksUri != null) {
            throw error(INVALID_CLIENT_METADATA, "jwks and jwks_uri must not both be present (RFC 7591 §2)");
        }
        if (ClientAuthenticationMethod.PRIVATE_KEY_JWT.getValue().equals(method) && jwks == null && jwksUri == null) {
            throw error(INVALID_CLIENT_METADATA, "private_key_jwt needs jwks or jwks_uri (RFC 7523 §2.2)");
        }
        if (jwks != null) {
            if (!(jwks instanceof Map<?, ?> map)) {
                throw error(INVALID_CLIENT_METADATA, "jwks must be a JWK Set object (RFC 7517 §5)");
            }
            Map<String, Object> set = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> set.put(String.valueOf(k), v));
            ClientKeys.Checked checked = ClientKeys.checkJwks(set);
            if (checked instanceof ClientKeys.Checked.Refused refused) {
                throw error(INVALID_CLIENT_METADATA, refused.reason());
            }
            return new Keys(((ClientKeys.Checked.Accepted) checked).value(), null);
        }
        if (jwksUri != null) {
            ClientKeys.Checked checked = ClientKeys.checkJwksUri(jwksUri.toString(), true);
            if (checked instanceof ClientKeys.Checked.Refused refused) {
                throw error(INVALID_CLIENT_METADATA, refused.reason());
            }
            publicJwksUri(((ClientKeys.Checked.Accepted) checked).value());
            return new Keys(null, ((ClientKeys.Checked.Accepted) checked).value());
        }
        return new Keys(null, null);
    }

    /**
     * A self-registered {@code jwks_uri} must name only public addresses ({@link PublicAddresses}, the rules of a
     * {@code backchannel_logout_uri} too): the server fetches it whenever anyone presents a token for the client, so a
     * private one would let anybody reach the server's own network. A name that does not resolve is refused. Checked
     * again before each fetch ({@code ClientKeyVerifiers}).
     */
    private static void publicJwksUri(String uri) {
        String host = java.net.URI.create(uri).getHost();
        Optional<String> refused =
                host == null ? Optional.of(PublicAddresses.UNRESOLVED) : PublicAddresses.refusedHost(host);
        if (refused.isPresent()) {
            throw error(INVALID_CLIENT_METADATA, "jwks_uri " + BackchannelLogoutUris.NOT_PUBLIC, refused.get());
        }
    }

    /**
     * A new client from checked metadata.
     *
     * @param metadata the checked metadata
     * @param clientId the new {@code client_id}
     * @param issuedAt now
     * @param secret the new plain secret for a confidential client ({@code null} for a public one)
     * @return the client, its secret in plain (the caller encodes it before saving)
     */
    RegisteredClient newClient(Metadata metadata, String clientId, Instant issuedAt, @Nullable String secret) {
        return build(
                RegisteredClient.withId(UUID.randomUUID().toString()).clientId(clientId),
                clientId,
                metadata,
                issuedAt,
                secret,
                ClientSettings.builder()
                        .setting(RESOURCES_SETTING, new ArrayList<>(policy.resourceList()))
                        .build(),
                TokenSettings.builder()
                        .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                        .accessTokenTimeToLive(accessTokenLifetime)
                        .refreshTokenTimeToLive(refreshTokenLifetime)
                        .reuseRefreshTokens(false)
                        .authorizationCodeTimeToLive(Duration.ofMinutes(2))
                        .build());
    }

    /**
     * An updated client (RFC 7592 §2.2): the metadata replaced, id, {@code client_id}, issue time and secret kept.
     * What an operator set through the admin API stays: the client settings start from the stored ones (MFA rules,
     * introspection, ...) with only the keys this policy owns overwritten, the resources (RFC 8707) are the stored ones
     * still in the policy (an update never widens what an operator narrowed), and the token settings, which no client
     * metadata describes, are kept as stored.
     *
     * @param existing the stored client
     * @param metadata the checked metadata
     * @param newSecret a secret for a client that turns confidential, otherwise {@code null}
     * @return the client
     */
    RegisteredClient updated(RegisteredClient existing, Metadata metadata, @Nullable String newSecret) {
        RegisteredClient.Builder b = RegisteredClient.withId(existing.getId()).clientId(existing.getClientId());
        Instant issuedAt = existing.getClientIdIssuedAt() != null ? existing.getClientIdIssuedAt() : Instant.EPOCH;
        String secret = metadata.secret() ? (newSecret != null ? newSecret : existing.getClientSecret()) : null;
        List<String> resources = new ArrayList<>();
        if (existing.getClientSettings().getSetting(RESOURCES_SETTING) instanceof List<?> stored) {
            for (Object resource : stored) {
                if (resource instanceof String r && policy.resourceList().contains(r) && !resources.contains(r)) {
                    resources.add(r);
                }
            }
        }
        return build(
                b,
                existing.getClientId(),
                metadata,
                issuedAt,
                secret,
                ClientSettings.withSettings(existing.getClientSettings().getSettings())
                        .setting(RESOURCES_SETTING, resources)
                        .build(),
                TokenSettings.withSettings(existing.getTokenSettings().getSettings())
                        .build());
    }

    private RegisteredClient build(
            RegisteredClient.Builder b,
            String clientId,
            Metadata metadata,
            Instant issuedAt,
            @Nullable String secret,
            ClientSettings base,
            TokenSettings tokenSettings) {
        // The keys this policy owns, whatever the base says.
        b.clientIdIssuedAt(issuedAt)
                .clientAuthenticationMethod(new ClientAuthenticationMethod(metadata.authenticationMethod()))
                .clientSettings(withKeys(
                        ClientSettings.withSettings(base.getSettings())
                                .requireProofKey(true)
                                .requireAuthorizationConsent(true)
                                .setting(DYNAMIC_SETTING, true)
                                .build(),
                        metadata.keys()))
                .tokenSettings(tokenSettings);
        // Without a name, the client id (RegisteredClient would otherwise show its internal id).
        b.clientName(metadata.clientName() != null ? metadata.clientName() : clientId);
        if (secret != null) {
            b.clientSecret(secret);
        }
        metadata.grantTypes().forEach(g -> b.authorizationGrantType(new AuthorizationGrantType(g)));
        metadata.redirectUris().forEach(b::redirectUri);
        metadata.scopes().forEach(b::scope);
        // OIDC Back-Channel Logout 1.0 §2.2: as registered now (an RFC 7592 update without it removes it).
        Map<String, Object> settings =
                new java.util.HashMap<>(b.build().getClientSettings().getSettings());
        settings.remove(BackchannelLogoutUris.URI_SETTING);
        settings.remove(BackchannelLogoutUris.SESSION_REQUIRED_SETTING);
        if (metadata.backchannelLogoutUri() != null) {
            settings.put(BackchannelLogoutUris.URI_SETTING, metadata.backchannelLogoutUri());
            settings.put(BackchannelLogoutUris.SESSION_REQUIRED_SETTING, metadata.backchannelLogoutSessionRequired());
        }
        b.clientSettings(ClientSettings.withSettings(settings).build());
        return b.build();
    }

    /** The request's keys replace the stored ones (RFC 7592 §2.2: an update replaces the metadata); none removes them. */
    private static ClientSettings withKeys(ClientSettings settings, Keys keys) {
        if (keys.jwks() != null || keys.jwksUri() != null) {
            return ClientKeys.withKeys(settings, keys.jwks(), keys.jwksUri());
        }
        return ClientSettings.withSettings(settings.getSettings())
                .settings(map -> {
                    map.remove(ClientKeys.JWKS_SETTING);
                    map.remove(ConfigurationSettingNames.Client.JWK_SET_URL);
                })
                .build();
    }

    /**
     * OpenID Connect Dynamic Client Registration 1.0 §2 {@code token_endpoint_auth_signing_alg}: with {@code
     * private_key_jwt} or {@code client_secret_jwt}, one of the algorithms this server takes for that method ({@link
     * ClientAssertions#algorithms}; {@code none} never); with another method it means nothing and is ignored (some
     * libraries send a default with every registration).
     */
    private static @Nullable String signingAlgorithm(Map<String, Object> claims, String method) {
        Object value = claims.get("token_endpoint_auth_signing_alg");
        List<String> allowed = ClientAssertions.algorithms(new ClientAuthenticationMethod(method));
        if (value == null || allowed.isEmpty()) {
            return null;
        }
        if (!(value instanceof String alg) || !allowed.contains(alg)) {
            throw error(INVALID_CLIENT_METADATA, "token_endpoint_auth_signing_alg must be one of " + allowed);
        }
        return alg;
    }

    /**
     * The client with the {@code token_endpoint_auth_signing_alg} of a checked request as its setting ({@link
     * ClientAssertions#SIGNING_ALG_SETTING}), or without one when the request names none (RFC 7592 §2.2: an update
     * replaces the metadata).
     *
     * @param client the client built from the request
     * @param claims the request's metadata, already checked
     * @return the client to save
     */
    static RegisteredClient withSigningAlgorithm(RegisteredClient client, Map<String, Object> claims) {
        String method = client.getClientAuthenticationMethods().stream()
                .findFirst()
                .map(ClientAuthenticationMethod::getValue)
                .orElse("");
        @Nullable String alg = signingAlgorithm(claims, method);
        Map<String, Object> settings =
                new java.util.HashMap<>(client.getClientSettings().getSettings());
        if (alg == null) {
            settings.remove(ClientAssertions.SIGNING_ALG_SETTING);
        } else {
            settings.put(ClientAssertions.SIGNING_ALG_SETTING, alg);
        }
        return RegisteredClient.from(client)
                .clientSettings(ClientSettings.withSettings(settings).build())
                .build();
    }

    /** Whether a stored client was registered dynamically. */
    static boolean dynamic(RegisteredClient client) {
        return Boolean.TRUE.equals(client.getClientSettings().getSetting(DYNAMIC_SETTING));
    }

    static OAuth2AuthenticationException error(String code, String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(code, description, ERROR_URI));
    }

    /**
     * An error whose {@code error_description} (RFC 7591 §3.2.2, sent to the registrant) leaves out {@code detail},
     * which only the exception's message, and so the audit record, carries: how a host name resolves is not told to
     * an anonymous caller (it would map the server's internal names).
     */
    static OAuth2AuthenticationException error(String code, String description, String detail) {
        return new OAuth2AuthenticationException(
                new OAuth2Error(code, description, ERROR_URI), description + " (" + detail + ")");
    }

    /**
     * A short, printable excerpt of a refused value: only characters RFC 6749 §5.2 allows in {@code
     * error_description} (no {@code "} or {@code \\}), and no {@code '} (the excerpt is quoted with it).
     */
    static String excerpt(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 60; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f && c != '\'' && c != '"' && c != '\\' ? c : '?');
        }
        return value.length() > 60 ? out + "..." : out.toString();
    }
}
