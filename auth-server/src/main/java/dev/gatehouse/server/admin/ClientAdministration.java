package dev.gatehouse.server.admin;

import dev.gatehouse.server.clients.ClientKeys;
import dev.gatehouse.server.clients.ClientRegistrations;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.clients.Fapi2Profile;
import dev.gatehouse.server.clients.SealedClientSecrets;
import dev.gatehouse.server.logout.BackchannelLogoutUris;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.tokens.ResourceIndicators;
import dev.gatehouse.server.tokens.StoredAuthorizations;
import dev.gatehouse.server.tokens.TokenIntrospectionConstraints;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Registered clients for the admin API, stored through Spring Authorization Server's {@link
 * RegisteredClientRepository}. Secrets are generated here by {@link ClientSecrets} (256 bits), stored only in their
 * {@code {hmac-sha256}} form and handed out once; views never carry the secret or its hash. Every client requires
 * PKCE (OAuth 2.1 §4.1.1) and rotates refresh tokens.
 */
@Component
final class ClientAdministration {

    /** Grants a client may be registered for (OAuth 2.1: no implicit, no password grant). */
    static final List<String> GRANTS = List.of(
            AuthorizationGrantType.AUTHORIZATION_CODE.getValue(),
            AuthorizationGrantType.CLIENT_CREDENTIALS.getValue(),
            AuthorizationGrantType.REFRESH_TOKEN.getValue(),
            AuthorizationGrantType.DEVICE_CODE.getValue(),
            AuthorizationGrantType.TOKEN_EXCHANGE.getValue());

    private final RegisteredClientRepository clients;
    private final ClientSecrets secrets;
    private final ClientRegistrations registrations;
    private final StoredAuthorizations authorizations;
    private final TransactionTemplate tx;
    private final GatehouseProperties server;
    private final Clock clock;
    private final LastAdminGuard lastAdmin;
    private final SealedClientSecrets sealed;

    ClientAdministration(
            RegisteredClientRepository clients,
            ClientSecrets secrets,
            ClientRegistrations registrations,
            StoredAuthorizations authorizations,
            TransactionTemplate tx,
            GatehouseProperties server,
            Clock clock,
            LastAdminGuard lastAdmin,
            SealedClientSecrets sealed) {
        this.lastAdmin = lastAdmin;
        this.sealed = sealed;
        this.clients = clients;
        this.secrets = secrets;
        this.registrations = registrations;
        this.authorizations = authorizations;
        this.tx = tx;
        this.server = server;
        this.clock = clock;
    }

    /**
     * A client as the admin API shows it: never the secret or its hash.
     *
     * @param clientId the client id
     * @param clientName the display name
     * @param type {@code confidential} (has a secret) or {@code public}
     * @param grantTypes the grants it may use
     * @param scopes the scopes it may be granted
     * @param redirectUris registered redirect URIs (matched exactly)
     * @param postLogoutRedirectUris registered post-logout redirect URIs
     * @param authenticationMethods how it authenticates at the token endpoint
     * @param requireProofKey whether PKCE is required (always, for clients registered here)
     * @param requireConsent whether users are asked for consent
     * @param requireMfa whether every user of the client must pass a second factor (enrolling first if needed)
     * @param requirePhishingResistant whether every user of the client must pass a phishing-resistant factor (a
     *     passkey; a one-time code is not enough, a user without one registers one first)
     * @param introspectAnyToken whether the client may introspect tokens issued to other clients (RFC 7662 §2.1);
     *     without it, only its own tokens and tokens naming it in {@code aud}
     * @param resources the resources it may request tokens for (RFC 8707), matched exactly
     * @param fapi2 whether the client is under the FAPI 2.0 Security Profile ({@link Fapi2Profile}): pushed
     *     authorization requests required ({@code require_pushed_authorization_requests}, RFC 9126 §6) and
     *     DPoP-bound access tokens ({@code dpop_bound_access_tokens}, RFC 9449 §5.2)
     * @param issuedAt when the client was registered
     * @param secretExpired whether its secret has expired (a disabled client)
     * @param jwks its public JWK Set by value ({@code private_key_jwt}, RFC 7591 §2 {@code jwks}), if any
     * @param jwksUri where its public JWK Set is fetched ({@code private_key_jwt}, RFC 7591 §2 {@code jwks_uri}), if
     *     any
     */
    record ClientView(
            String clientId,
            String clientName,
            String type,
            List<String> grantTypes,
            List<String> scopes,
            List<String> redirectUris,
            List<String> postLogoutRedirectUris,
            List<String> authenticationMethods,
            boolean requireProofKey,
            boolean requireConsent,
            boolean requireMfa,
            boolean requirePhishingResistant,
            boolean introspectAnyToken,
            List<String> resources,
            boolean fapi2,
            @Nullable Instant issuedAt,
            boolean secretExpired,
            @Nullable String backchannelLogoutUri,
            boolean backchannelLogoutSessionRequired,
            @Nullable Map<String, Object> jwks,
            @Nullable String jwksUri) {}

    /**
     * A client with its new secret, shown once.
     *
     * @param client the client
     * @param clientSecret the plain secret: store it now, it cannot be shown again
     */
    record ClientWithSecret(ClientView client, @Nullable String clientSecret) {
        @Override
        public String toString() {
            return "ClientWithSecret[" + client.clientId() + "]";
        }
    }

    ClientView get(String clientId) {
        return view(find(clientId));
    }

    Paging.Page<ClientView> list(Paging paging) {
        long total = registrations.count();
        List<String> ids = registrations.clientIds(paging.size(), paging.offset());
        List<ClientView> views = new ArrayList<>();
        for (String id : ids) {
            RegisteredClient c = clients.findByClientId(id);
            if (c != null) {
                views.add(view(c));
            }
        }
        return paging.page(views, total);
    }

    ClientWithSecret register(
            String clientId,
            String clientName,
            boolean confidential,
            List<String> grantTypes,
            List<String> scopes,
            List<String> redirectUris,
            List<String> postLogoutRedirectUris,
            boolean requireConsent,
            boolean requireMfa,
            boolean requirePhishingResistant,
            List<String> resources,
            boolean fapi2,
            @Nullable String backchannelLogoutUri,
            boolean backchannelLogoutSessionRequired,
            boolean clientSecretJwt) {
        if (clients.findByClientId(clientId) != null) {
            throw AdminException.conflict("admin.client.exists", "Client '" + clientId + "' already exists.");
        }
        String secret = confidential ? (clientSecretJwt ? sealed.generate() : secrets.generate()) : null;
        RegisteredClient.Builder b = RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientIdIssuedAt(clock.instant())
                .clientName(clientName)
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(requireConsent)
                        .setting(MfaPolicy.REQUIRE_MFA_SETTING, requireMfa)
                        .setting(MfaPolicy.REQUIRE_PHISHING_RESISTANT_SETTING, requirePhishingResistant)
                        // An ArrayList: the stored settings are JSON with types, and it reads back as one.
                        .setting(ResourceIndicators.RESOURCES_SETTING, new ArrayList<>(resources))
                        .setting(Fapi2Profile.SETTING, fapi2)
                        .build())
                .tokenSettings(TokenSettings.builder()
                        .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                        .accessTokenTimeToLive(server.token().accessTokenLifetime())
                        .refreshTokenTimeToLive(server.token().refreshTokenLifetime())
                        .reuseRefreshTokens(false)
                        .authorizationCodeTimeToLive(Duration.ofMinutes(2))
                        .build());
        if (secret != null && clientSecretJwt) {
            // RFC 7523 §2.2: this method only (RFC 7591 §2), the secret also sealed (SealedClientSecrets).
            b.clientSecret(secrets.encoder().encode(secret))
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_JWT);
        } else if (secret != null) {
            b.clientSecret(secrets.encoder().encode(secret))
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST);
        } else {
            b.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
        }
        grantTypes.forEach(g -> b.authorizationGrantType(new AuthorizationGrantType(g)));
        scopes.forEach(b::scope);
        redirectUris.forEach(b::redirectUri);
        postLogoutRedirectUris.forEach(b::postLogoutRedirectUri);
        b.clientSettings(withBackchannelLogout(
                b.build().getClientSettings(), backchannelLogoutUri, backchannelLogoutSessionRequired));
        RegisteredClient client = sealed.apply(fapi2Checked(b.build()), secret);
        clients.save(client);
        return new ClientWithSecret(view(find(clientId)), secret);
    }

    ClientView updateRedirectUris(String clientId, List<String> redirectUris, List<String> postLogoutRedirectUris) {
        RegisteredClient existing = find(clientId);
        if (existing.getAuthorizationGrantTypes().contains(AuthorizationGrantType.AUTHORIZATION_CODE)
                && redirectUris.isEmpty()) {
            throw AdminException.invalidField(
                    "redirectUris",
                    "admin.redirect_uri_required",
                    "A client with the authorization_code grant needs at least one redirect URI.");
        }
        clients.save(fapi2Checked(RegisteredClient.from(existing)
                .redirectUris(set -> {
                    set.clear();
                    set.addAll(redirectUris);
                })
                .postLogoutRedirectUris(set -> {
                    set.clear();
                    set.addAll(postLogoutRedirectUris);
                })
                .build()));
        return get(clientId);
    }

    /**
     * Makes the second factor mandatory for every user of the client, or not; other settings stay. Effective at once
     * on this node (the save evicts its client cache), on other nodes within
     * {@code gatehouse.server.client-cache-max-staleness}.
     */
    ClientView setRequireMfa(String clientId, boolean requireMfa) {
        RegisteredClient existing = find(clientId);
        clients.save(RegisteredClient.from(existing)
                .clientSettings(
                        ClientSettings.withSettings(existing.getClientSettings().getSettings())
                                .setting(MfaPolicy.REQUIRE_MFA_SETTING, requireMfa)
                                .build())
                .build());
        return get(clientId);
    }

    /**
     * Makes a phishing-resistant factor (a passkey, issue #16) mandatory for every user of the client, or not; other
     * settings stay. Effective like {@link #setRequireMfa}.
     */
    ClientView setRequirePhishingResistant(String clientId, boolean required) {
        RegisteredClient existing = find(clientId);
        clients.save(RegisteredClient.from(existing)
                .clientSettings(
                        ClientSettings.withSettings(existing.getClientSettings().getSettings())
                                .setting(MfaPolicy.REQUIRE_PHISHING_RESISTANT_SETTING, required)
                                .build())
                .build());
        return get(clientId);
    }

    /**
     * Lets the client introspect tokens issued to any client (a resource server checking other clients' tokens), or
     * takes that away; other settings stay. Effective like {@link #setRequireMfa}.
     */
    /**
     * Sets or removes (a {@code null} URI) the client's back-channel logout URI (OIDC Back-Channel Logout 1.0 §2.2,
     * checked by the caller) and whether it requires {@code sid}; other settings stay. Sessions ended from now on are
     * sent to the new URI; queued logout tokens go where the client's URI is when they are sent.
     */
    ClientView setBackchannelLogout(String clientId, @Nullable String uri, boolean sessionRequired) {
        RegisteredClient existing = find(clientId);
        refuseForDynamicClient(existing, uri);
        clients.save(RegisteredClient.from(existing)
                .clientSettings(withBackchannelLogout(existing.getClientSettings(), uri, sessionRequired))
                .build());
        return get(clientId);
    }

    /**
     * A dynamically registered client's URI follows the dynamic rules (https, public addresses only), the ones
     * delivery checks again at each send: an operator's URI that delivery would always refuse is a 400 now.
     */
    private static void refuseForDynamicClient(RegisteredClient existing, @Nullable String uri) {
        if (uri == null || !BackchannelLogoutUris.dynamic(existing)) {
            return;
        }
        BackchannelLogoutUris.problem(uri, true).ifPresent(problem -> {
            throw new AdminException(
                    HttpStatus.BAD_REQUEST,
                    "admin.invalid_fields",
                    "The request has invalid fields.",
                    List.of(Map.of(
                            "field",
                            "backchannelLogoutUri",
                            "code",
                            "admin.invalid_backchannel_logout_uri",
                            "message",
                            "back-channel logout URI of a dynamically registered client " + problem)));
        });
    }

    private static ClientSettings withBackchannelLogout(
            ClientSettings settings, @Nullable String uri, boolean sessionRequired) {
        java.util.Map<String, Object> values = new java.util.HashMap<>(settings.getSettings());
        values.remove(BackchannelLogoutUris.URI_SETTING);
        values.remove(BackchannelLogoutUris.SESSION_REQUIRED_SETTING);
        if (uri != null) {
            values.put(BackchannelLogoutUris.URI_SETTING, uri);
            values.put(BackchannelLogoutUris.SESSION_REQUIRED_SETTING, sessionRequired);
        }
        return ClientSettings.withSettings(values).build();
    }

    ClientView setIntrospectAnyToken(String clientId, boolean allowed) {
        RegisteredClient existing = find(clientId);
        clients.save(RegisteredClient.from(existing)
                .clientSettings(
                        ClientSettings.withSettings(existing.getClientSettings().getSettings())
                                .setting(TokenIntrospectionConstraints.INTROSPECT_ANY_TOKEN_SETTING, allowed)
                                .build())
                .build());
        return get(clientId);
    }

    /**
     * Replaces the resources the client may request tokens for (RFC 8707); other settings stay. Tokens already issued
     * keep their {@code aud}; codes and refresh tokens granted for a resource no longer listed give no token for it
     * ({@link ResourceIndicators#audience}). Effective like {@link #setRequireMfa}.
     */
    ClientView setResources(String clientId, List<String> resources) {
        RegisteredClient existing = find(clientId);
        clients.save(RegisteredClient.from(existing)
                .clientSettings(
                        ClientSettings.withSettings(existing.getClientSettings().getSettings())
                                .setting(ResourceIndicators.RESOURCES_SETTING, new ArrayList<>(resources))
                                .build())
                .build());
        return get(clientId);
    }

    /**
     * Puts the client under the FAPI 2.0 Security Profile, or takes it out; other settings stay. A client that does
     * not meet the profile ({@link Fapi2Profile#refusals}) is refused and nothing changes; the authorization code
     * lifetime is capped at 60 seconds (FAPI 2.0 §5.3.2.1) and stays capped when the switch is turned off again.
     * Effective like {@link #setRequireMfa}.
     */
    ClientView setFapi2(String clientId, boolean fapi2) {
        RegisteredClient existing = find(clientId);
        clients.save(fapi2Checked(RegisteredClient.from(existing)
                .clientSettings(
                        ClientSettings.withSettings(existing.getClientSettings().getSettings())
                                .setting(Fapi2Profile.SETTING, fapi2)
                                .build())
                .build()));
        return get(clientId);
    }

    /** The client to save: refused when under FAPI 2.0 and not meeting it, with its code lifetime capped if so. */
    private static RegisteredClient fapi2Checked(RegisteredClient client) {
        if (!Fapi2Profile.enabled(client)) {
            return client;
        }
        List<String> refusals = Fapi2Profile.refusals(client);
        if (!refusals.isEmpty()) {
            throw AdminException.invalidField("fapi2", "admin.fapi2_not_met", String.join("; ", refusals));
        }
        return Fapi2Profile.capped(client);
    }

    /**
     * Makes a confidential client authenticate with {@code private_key_jwt} (RFC 7523 §2.2) signed by the given keys:
     * exactly one of a public JWK Set by value or a {@code jwks_uri} (RFC 7591 §2), both already checked ({@link
     * ClientKeys}). Its secret, if it had one, is removed, and with it what the secret alone could mint (its
     * client-credentials tokens), as on {@link #rotateSecret}. Public clients have no credentials and are refused.
     * Effective at once on this node, on other nodes within the client cache's staleness bound (verifiers are keyed by
     * the client's key source, so the old keys' verifiers are not used again).
     */
    ClientView setKeys(String clientId, @Nullable String jwks, @Nullable String jwksUri) {
        RegisteredClient existing = find(clientId);
        if (existing.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.NONE)) {
            throw AdminException.conflict(
                    "admin.client.public", "Client '" + clientId + "' is public: it has no credentials to replace.");
        }
        tx.executeWithoutResult(status -> {
            // sealed.apply: a client_secret_jwt client's sealed secret goes with its secret.
            clients.save(sealed.apply(
                    RegisteredClient.from(existing)
                            .clientSecret(null)
                            .clientSecretExpiresAt(null)
                            .clientAuthenticationMethods(methods -> {
                                methods.clear();
                                methods.add(ClientAuthenticationMethod.PRIVATE_KEY_JWT);
                            })
                            .clientSettings(ClientKeys.withKeys(existing.getClientSettings(), jwks, jwksUri))
                            .build(),
                    null));
            authorizations.removeClientCredentialsOf(existing.getId());
        });
        return get(clientId);
    }

    /**
     * A new secret replaces the old one at once here, on other nodes within the client cache's staleness bound; a
     * {@code client_secret_jwt} client's sealed copy is replaced with it ({@link SealedClientSecrets}).
     */
    ClientWithSecret rotateSecret(String clientId) {
        RegisteredClient existing = find(clientId);
        boolean secretJwt = SealedClientSecrets.registered(existing);
        if (!existing.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                && !existing.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                && !secretJwt) {
            throw AdminException.conflict(
                    "admin.client.no_secret", "Client '" + clientId + "' does not authenticate with a secret.");
        }
        String secret = secretJwt ? sealed.generate() : secrets.generate();
        tx.executeWithoutResult(status -> {
            clients.save(sealed.apply(
                    RegisteredClient.from(existing)
                            .clientSecret(secrets.encoder().encode(secret))
                            .clientSecretExpiresAt(null)
                            .build(),
                    secret));
            // A rotation usually means the old secret may be known to someone else: what it alone could mint (the
            // client-credentials tokens) goes with it. Users' authorizations stay; refreshing them needs the new
            // secret.
            authorizations.removeClientCredentialsOf(existing.getId());
        });
        return new ClientWithSecret(get(clientId), secret);
    }

    /**
     * Makes a confidential client authenticate with {@code client_secret_jwt} (RFC 7523 §2.2, OpenID Connect Core 1.0
     * §9) and nothing else, with a new secret long enough for HS512 and sealed under the master key ({@link
     * SealedClientSecrets}), returned once; or ({@code false}) takes a {@code client_secret_jwt} client back to {@code
     * client_secret_basic} and {@code client_secret_post}, its secret kept and its sealed copy removed. Switching on
     * always issues a new secret (the old one is stored hashed only, so it cannot be sealed) and, as on {@link
     * #rotateSecret}, removes what the old credentials alone could mint. A {@code private_key_jwt} client's keys
     * ({@code jwks}, {@code jwks_uri}) are removed too: an operator moving a client off its keys, perhaps because one
     * leaked, must not find request objects signed with them still accepted as the client's. Public clients are
     * refused; a FAPI 2.0 client cannot leave {@code private_key_jwt}. Idempotent (RFC 9110 §9.2.2): {@code true} on a
     * client that already uses {@code client_secret_jwt}, or {@code false} on one that does not, changes nothing and
     * returns no secret (rotation is {@link #rotateSecret}'s business).
     */
    ClientWithSecret setClientSecretJwt(String clientId, boolean on) {
        RegisteredClient existing = find(clientId);
        if (existing.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.NONE)) {
            throw AdminException.conflict(
                    "admin.client.public", "Client '" + clientId + "' is public: it has no credentials to replace.");
        }
        if (!on) {
            if (SealedClientSecrets.registered(existing)) {
                clients.save(sealed.apply(
                        RegisteredClient.from(existing)
                                .clientAuthenticationMethods(methods -> {
                                    methods.clear();
                                    methods.add(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
                                    methods.add(ClientAuthenticationMethod.CLIENT_SECRET_POST);
                                })
                                .build(),
                        null));
            }
            return new ClientWithSecret(get(clientId), null);
        }
        if (SealedClientSecrets.registered(existing)) {
            // Already switched: a resent PUT must not replace the secret the first response handed out.
            return new ClientWithSecret(get(clientId), null);
        }
        String secret = sealed.generate();
        RegisteredClient changed = fapi2Checked(RegisteredClient.from(existing)
                .clientSecret(secrets.encoder().encode(secret))
                .clientSecretExpiresAt(null)
                .clientAuthenticationMethods(methods -> {
                    methods.clear();
                    methods.add(ClientAuthenticationMethod.CLIENT_SECRET_JWT);
                })
                .clientSettings(ClientKeys.withoutKeys(existing.getClientSettings()))
                .build());
        tx.executeWithoutResult(status -> {
            clients.save(sealed.apply(changed, secret));
            authorizations.removeClientCredentialsOf(existing.getId());
        });
        return new ClientWithSecret(get(clientId), secret);
    }

    /**
     * Removes a client with its authorizations (so its tokens fail introspection at once) and consents. Its secret is
     * first expired through the repository, which evicts this node's client cache; other nodes drop the client within
     * {@code gatehouse.server.client-cache-max-staleness}.
     */
    void delete(String clientId) {
        RegisteredClient existing = find(clientId);
        tx.executeWithoutResult(status -> {
            if (existing.getClientSecret() != null) {
                clients.save(RegisteredClient.from(existing)
                        .clientSecretExpiresAt(clock.instant().minusSeconds(1))
                        .build());
            }
            authorizations.removeAllOf(existing.getId());
            registrations.remove(existing.getId());
            lastAdmin.requireAWayIn();
        });
    }

    private RegisteredClient find(String clientId) {
        RegisteredClient c = clients.findByClientId(clientId);
        if (c == null) {
            throw AdminException.notFound("Client '" + clientId + "'");
        }
        return c;
    }

    private ClientView view(RegisteredClient c) {
        boolean confidential = (c.getClientSecret() != null
                        || c.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.PRIVATE_KEY_JWT))
                && !c.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.NONE);
        Instant expires = c.getClientSecretExpiresAt();
        return new ClientView(
                c.getClientId(),
                c.getClientName(),
                confidential ? "confidential" : "public",
                sorted(c.getAuthorizationGrantTypes().stream()
                        .map(AuthorizationGrantType::getValue)
                        .toList()),
                sorted(c.getScopes()),
                sorted(c.getRedirectUris()),
                sorted(c.getPostLogoutRedirectUris()),
                sorted(c.getClientAuthenticationMethods().stream()
                        .map(ClientAuthenticationMethod::getValue)
                        .toList()),
                c.getClientSettings().isRequireProofKey(),
                c.getClientSettings().isRequireAuthorizationConsent(),
                Boolean.TRUE.equals(c.getClientSettings().getSetting(MfaPolicy.REQUIRE_MFA_SETTING)),
                Boolean.TRUE.equals(c.getClientSettings().getSetting(MfaPolicy.REQUIRE_PHISHING_RESISTANT_SETTING)),
                Boolean.TRUE.equals(
                        c.getClientSettings().getSetting(TokenIntrospectionConstraints.INTROSPECT_ANY_TOKEN_SETTING)),
                ResourceIndicators.allowed(c),
                Fapi2Profile.enabled(c),
                c.getClientIdIssuedAt(),
                expires != null && !expires.isAfter(clock.instant()),
                BackchannelLogoutUris.uri(c),
                BackchannelLogoutUris.sessionRequired(c),
                ClientKeys.jwksObject(c).orElse(null),
                ClientKeys.jwksUri(c).orElse(null));
    }

    private static List<String> sorted(java.util.Collection<String> values) {
        Set<String> s = new TreeSet<>(values);
        return List.copyOf(s);
    }
}
