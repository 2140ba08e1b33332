package dev.gatehouse.server.admin;

import dev.gatehouse.server.clients.ClientKeys;
import dev.gatehouse.server.logout.BackchannelLogoutUris;
import dev.gatehouse.server.tokens.ResourceIndicators;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/clients}: register, read, list, change redirect URIs and resources, require MFA, rotate the secret,
 * delete. The plain secret
 * appears only in the response that created it ({@code 201} on registration, {@code 200} on rotation), with {@code
 * Cache-Control: no-store}.
 */
@RestController
@RequestMapping(path = "/admin/clients", produces = "application/json")
@Tag(name = "clients", description = "Registered OAuth clients")
final class ClientAdminController {

    /** RFC 6749 §3.3 scope-token, restricted to the characters our scopes use. */
    static final String SCOPE = "[A-Za-z0-9._:/-]+";

    private final ClientAdministration clients;
    private final AdminProperties properties;

    ClientAdminController(ClientAdministration clients, AdminProperties properties) {
        this.clients = clients;
        this.properties = properties;
    }

    /**
     * A new client.
     *
     * @param clientId the client id (RFC 6749 §2.2)
     * @param clientName a display name
     * @param type {@code confidential} (default; the server generates a secret) or {@code public} (PKCE only)
     * @param grantTypes grants: {@code authorization_code}, {@code client_credentials}, {@code refresh_token}, the
     *     device code and token exchange URNs
     * @param scopes scopes it may be granted ({@code admin} makes it an admin-API operator with client credentials)
     * @param redirectUris redirect URIs (https, or http on a loopback IP; no fragment, no wildcard)
     * @param postLogoutRedirectUris post-logout redirect URIs, same rules
     * @param requireConsent whether users are asked for consent; default {@code false}
     * @param requireMfa whether every user must pass a second factor (enrolling first if needed); default {@code
     *     false}
     * @param requirePhishingResistant whether every user must pass a phishing-resistant factor (a passkey; a
     *     one-time code is not enough); default {@code false}
     * @param resources resources it may request tokens for (RFC 8707: absolute URIs without a fragment; https, or
     *     http on a loopback host); default none
     * @param fapi2 whether the client is under the FAPI 2.0 Security Profile (confidential, {@code private_key_jwt}
     *     only, code flow with PAR, PKCE S256 and DPoP; codes valid 60 s); default {@code false}
     * @param backchannelLogoutUri where logout tokens are posted when a user's session ends (OIDC Back-Channel Logout
     *     1.0 §2.2: absolute, no fragment; https, or http on a loopback host); default none
     * @param backchannelLogoutSessionRequired whether the client requires {@code sid} in logout tokens (Gatehouse
     *     always sends it); default {@code false}
     * @param clientSecretJwt whether the (confidential) client authenticates with {@code client_secret_jwt} (RFC 7523
     *     §2.2: an HS256, HS384 or HS512 assertion keyed with its secret) instead of {@code client_secret_basic} and
     *     {@code client_secret_post}; its secret is then also kept sealed under the master key; default {@code false}
     */
    record RegisterClientRequest(
            @NotBlank(message = "clientId is required")
            @Size(min = 3, max = 100, message = "clientId must be 3 to 100 characters")
            @Pattern(
                    regexp = "[A-Za-z0-9][A-Za-z0-9._-]*",
                    message = "clientId must start with a letter or digit and contain only letters, digits"
                            + " and . _ -")
            String clientId,

            @NotBlank(message = "clientName is required")
            @Size(max = 200, message = "clientName must be at most 200 characters")
            @Pattern(regexp = "[^\\p{Cntrl}]*", message = "clientName must not contain control characters")
            String clientName,

            @Nullable @Pattern(regexp = "confidential|public", message = "type must be 'confidential' or 'public'")
            String type,

            @NotEmpty(message = "grantTypes must name at least one grant")
            @Size(max = 5, message = "at most 5 grant types")
            List<@NotNull(message = "grant type must not be null") String> grantTypes,

            @Nullable @Size(max = 50, message = "at most 50 scopes")
            List<
                            @NotNull(message = "scope must not be null")
                            @Size(max = 100, message = "scope must be at most 100 characters")
                            @Pattern(
                                    regexp = SCOPE,
                                    message = "scope must be a scope token of letters, digits and . _ : / -")
                            String>
                    scopes,

            @Nullable @Size(max = 20, message = "at most 20 redirect URIs")
            List<@NotNull String> redirectUris,

            @Nullable @Size(max = 20, message = "at most 20 post-logout redirect URIs")
            List<@NotNull String> postLogoutRedirectUris,

            @Nullable Boolean requireConsent,

            @Nullable Boolean requireMfa,

            @Nullable Boolean requirePhishingResistant,

            @Nullable
            @Size(
                    max = ResourceIndicators.MAX_RESOURCES,
                    message = "at most " + ResourceIndicators.MAX_RESOURCES + " resources")
            List<@NotNull(message = "resource must not be null") String> resources,

            @Nullable Boolean fapi2,

            @Nullable String backchannelLogoutUri,

            @Nullable Boolean backchannelLogoutSessionRequired,

            @Nullable Boolean clientSecretJwt)
            implements AdminRequest {}

    /**
     * Whether a confidential client authenticates with {@code client_secret_jwt}.
     *
     * @param clientSecretJwt {@code true}: {@code client_secret_jwt} only, with a new secret returned once; {@code
     *     false}: {@code client_secret_basic} and {@code client_secret_post} with the secret it has
     */
    record ClientSecretJwtRequest(
            @NotNull(message = "clientSecretJwt is required")
            Boolean clientSecretJwt) implements AdminRequest {}

    /**
     * A client's back-channel logout settings (OIDC Back-Channel Logout 1.0 §2.2), replacing the registered ones.
     *
     * @param backchannelLogoutUri the URI (absolute, no fragment; https, or http on a loopback host); {@code null}
     *     removes it
     * @param backchannelLogoutSessionRequired whether the client requires {@code sid}; default {@code false}
     */
    record BackchannelLogoutRequest(
            @Nullable String backchannelLogoutUri, @Nullable Boolean backchannelLogoutSessionRequired)
            implements AdminRequest {}

    /**
     * Whether the client is under the FAPI 2.0 Security Profile.
     *
     * @param fapi2 {@code true}: pushed authorization requests, PKCE S256, DPoP and {@code private_key_jwt} required,
     *     codes valid at most 60 s (refused for a client that does not meet the profile); {@code false}: off again
     */
    record Fapi2Request(
            @NotNull(message = "fapi2 is required") Boolean fapi2) implements AdminRequest {}

    /**
     * The resources a client may request tokens for, replacing the registered ones.
     *
     * @param resources absolute URIs without a fragment (https, or http on a loopback host); empty for none
     */
    record ResourcesRequest(
            @NotNull(message = "resources is required")
            @Size(
                    max = ResourceIndicators.MAX_RESOURCES,
                    message = "at most " + ResourceIndicators.MAX_RESOURCES + " resources")
            List<@NotNull(message = "resource must not be null") String> resources)
            implements AdminRequest {}

    /**
     * The keys a confidential client signs its {@code private_key_jwt} assertions with (RFC 7523 §2.2), replacing its
     * secret or earlier keys: exactly one of the two (RFC 7591 §2).
     *
     * @param jwks a public JWK Set (RFC 7517 §5): no private or symmetric keys, at most {@value ClientKeys#MAX_KEYS}
     *     keys and {@value ClientKeys#MAX_JWKS_BYTES} bytes
     * @param jwksUri where the client publishes its JWK Set: https (http only on a loopback host)
     */
    record KeysRequest(
            @Nullable Map<String, Object> jwks,

            @Nullable @Size(max = ClientKeys.MAX_URI_LENGTH, message = "jwksUri is too long")
            String jwksUri)
            implements AdminRequest {}

    /**
     * Whether every user of the client must pass a phishing-resistant factor.
     *
     * @param requirePhishingResistant {@code true}: only a passkey meets the second step (a user without one registers
     *     one first); {@code false}: as the user or request asks
     */
    record RequirePhishingResistantRequest(
            @NotNull(message = "requirePhishingResistant is required")
            Boolean requirePhishingResistant) implements AdminRequest {}

    /**
     * Whether every user of the client must pass a second factor.
     *
     * @param requireMfa {@code true}: required (a user without a factor enrols first); {@code false}: optional
     */
    record RequireMfaRequest(
            @NotNull(message = "requireMfa is required") Boolean requireMfa) implements AdminRequest {}

    /**
     * Whether the client may introspect tokens issued to other clients.
     *
     * @param introspectAnyToken {@code true}: any token (a resource server); {@code false}: its own tokens and tokens
     *     naming it in {@code aud} only (the default)
     */
    record IntrospectionRequest(
            @NotNull(message = "introspectAnyToken is required")
            Boolean introspectAnyToken) implements AdminRequest {}

    /**
     * New redirect URIs, replacing the registered ones.
     *
     * @param redirectUris redirect URIs
     * @param postLogoutRedirectUris post-logout redirect URIs; default none
     */
    record RedirectUrisRequest(
            @NotNull(message = "redirectUris is required") @Size(max = 20, message = "at most 20 redirect URIs")
            List<@NotNull String> redirectUris,

            @Nullable @Size(max = 20, message = "at most 20 post-logout redirect URIs")
            List<@NotNull String> postLogoutRedirectUris)
            implements AdminRequest {}

    /**
     * A client's new secret, shown once.
     *
     * @param clientId the client
     * @param clientSecret the plain secret (256 bits, Base64url)
     */
    record Secret(String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Secret[" + clientId + "]";
        }
    }

    /**
     * A registered client with its secret, shown once.
     *
     * @param client the client
     * @param clientSecret the plain secret, or {@code null} for a public client
     */
    record Registered(
            ClientAdministration.ClientView client,
            @Nullable String clientSecret) {
        @Override
        public String toString() {
            return "Registered[" + client.clientId() + "]";
        }
    }

    @PostMapping(consumes = "application/json")
    @Audited("admin.client.create")
    @Operation(summary = "Register a client; a confidential client's secret is in this response only")
    ResponseEntity<Registered> register(@Valid @RequestBody RegisterClientRequest body, HttpServletRequest request) {
        request.setAttribute(AdminAuditInterceptor.SUBJECT, body.clientId());
        boolean confidential = body.type() == null || body.type().equals("confidential");
        List<String> grants = List.copyOf(new LinkedHashSet<>(body.grantTypes()));
        List<Map<String, String>> errors = new ArrayList<>();
        for (String g : grants) {
            if (!ClientAdministration.GRANTS.contains(g)) {
                errors.add(error(
                        "grantTypes",
                        "admin.unsupported_grant",
                        "grant type '" + cut(g) + "' is not supported; use one of " + ClientAdministration.GRANTS
                                + " (OAuth 2.1 has no implicit or password grant)"));
            }
        }
        if (!confidential
                && (grants.contains(AuthorizationGrantType.CLIENT_CREDENTIALS.getValue())
                        || grants.contains(AuthorizationGrantType.TOKEN_EXCHANGE.getValue()))) {
            errors.add(error(
                    "grantTypes",
                    "admin.public_client_grant",
                    "a public client cannot use client_credentials or token exchange: it has no credentials"
                            + " (RFC 6749 §4.4)"));
        }
        List<String> redirects = uris("redirectUris", body.redirectUris(), errors);
        List<String> logout = uris("postLogoutRedirectUris", body.postLogoutRedirectUris(), errors);
        List<String> resources = resources(body.resources(), errors);
        @Nullable String backchannelLogoutUri = backchannelLogoutUri(body.backchannelLogoutUri(), errors);
        if (!confidential && Boolean.TRUE.equals(body.clientSecretJwt())) {
            errors.add(error(
                    "clientSecretJwt",
                    "admin.public_client_secret_jwt",
                    "a public client has no secret to sign client_secret_jwt assertions with (RFC 7523 §2.2)"));
        }
        if (grants.contains(AuthorizationGrantType.AUTHORIZATION_CODE.getValue()) && redirects.isEmpty()) {
            errors.add(error(
                    "redirectUris",
                    "admin.redirect_uri_required",
                    "the authorization_code grant needs at least one redirect URI (RFC 6749 §3.1.2)"));
        }
        if (!errors.isEmpty()) {
            throw new AdminException(
                    HttpStatus.BAD_REQUEST, "admin.invalid_fields", "The request has invalid fields.", errors);
        }
        ClientAdministration.ClientWithSecret created = clients.register(
                body.clientId(),
                body.clientName(),
                confidential,
                grants,
                body.scopes() == null ? List.of() : List.copyOf(new LinkedHashSet<>(body.scopes())),
                redirects,
                logout,
                Boolean.TRUE.equals(body.requireConsent()),
                Boolean.TRUE.equals(body.requireMfa()),
                Boolean.TRUE.equals(body.requirePhishingResistant()),
                resources,
                Boolean.TRUE.equals(body.fapi2()),
                backchannelLogoutUri,
                Boolean.TRUE.equals(body.backchannelLogoutSessionRequired()),
                Boolean.TRUE.equals(body.clientSecretJwt()));
        return ResponseEntity.created(URI.create("/admin/clients/" + body.clientId()))
                .cacheControl(CacheControl.noStore())
                .body(new Registered(created.client(), created.clientSecret()));
    }

    @GetMapping("/{clientId}")
    @Operation(summary = "Get a client (never its secret)")
    ClientAdministration.ClientView get(@PathVariable String clientId) {
        return clients.get(clientId);
    }

    @GetMapping
    @Operation(summary = "List clients, by client id, one page at a time")
    Paging.Page<ClientAdministration.ClientView> list(
            @RequestParam(required = false) @Nullable Integer page,
            @RequestParam(required = false) @Nullable Integer size) {
        return clients.list(Paging.of(page, size, properties));
    }

    @PutMapping(path = "/{clientId}/redirect-uris", consumes = "application/json")
    @Audited(value = "admin.client.redirect_uris.update", subject = "clientId")
    @Operation(summary = "Replace a client's redirect URIs (validated; matched exactly)")
    ClientAdministration.ClientView redirectUris(
            @PathVariable String clientId, @Valid @RequestBody RedirectUrisRequest body) {
        List<Map<String, String>> errors = new ArrayList<>();
        List<String> redirects = uris("redirectUris", body.redirectUris(), errors);
        List<String> logout = uris("postLogoutRedirectUris", body.postLogoutRedirectUris(), errors);
        if (!errors.isEmpty()) {
            throw new AdminException(
                    HttpStatus.BAD_REQUEST, "admin.invalid_fields", "The request has invalid fields.", errors);
        }
        return clients.updateRedirectUris(clientId, redirects, logout);
    }

    @PutMapping(path = "/{clientId}/mfa-required", consumes = "application/json")
    @Audited(value = "admin.client.mfa.required", subject = "clientId")
    @Operation(
            summary = "Make the second factor mandatory for every user of a client (users without one enrol first),"
                    + " or optional again")
    ClientAdministration.ClientView requireMfa(
            @PathVariable String clientId, @Valid @RequestBody RequireMfaRequest body, HttpServletRequest request) {
        AdminAuditInterceptor.detail(request, "requireMfa", body.requireMfa().toString());
        return clients.setRequireMfa(clientId, body.requireMfa());
    }

    @PutMapping(path = "/{clientId}/phishing-resistant-required", consumes = "application/json")
    @Audited(value = "admin.client.phishing_resistant.required", subject = "clientId")
    @Operation(
            summary = "Make a phishing-resistant factor (a passkey) mandatory for every user of a client (a one-time"
                    + " code is then not enough; users without a passkey register one first), or optional again")
    ClientAdministration.ClientView requirePhishingResistant(
            @PathVariable String clientId,
            @Valid @RequestBody RequirePhishingResistantRequest body,
            HttpServletRequest request) {
        AdminAuditInterceptor.detail(
                request,
                "requirePhishingResistant",
                body.requirePhishingResistant().toString());
        return clients.setRequirePhishingResistant(clientId, body.requirePhishingResistant());
    }

    @PutMapping(path = "/{clientId}/fapi2", consumes = "application/json")
    @Audited(value = "admin.client.fapi2", subject = "clientId")
    @Operation(
            summary = "Put a client under the FAPI 2.0 Security Profile (PAR, PKCE S256, DPoP, private_key_jwt, codes"
                    + " valid 60 s), or take it out; refused for a client that does not meet the profile")
    ClientAdministration.ClientView fapi2(
            @PathVariable String clientId, @Valid @RequestBody Fapi2Request body, HttpServletRequest request) {
        AdminAuditInterceptor.detail(request, "fapi2", body.fapi2().toString());
        return clients.setFapi2(clientId, body.fapi2());
    }

    @PutMapping(path = "/{clientId}/introspection", consumes = "application/json")
    @Audited(value = "admin.client.introspection", subject = "clientId")
    @Operation(
            summary = "Let a client introspect tokens issued to any client (RFC 7662 §2.1), or only its own and those"
                    + " naming it in aud again")
    ClientAdministration.ClientView introspection(
            @PathVariable String clientId, @Valid @RequestBody IntrospectionRequest body, HttpServletRequest request) {
        AdminAuditInterceptor.detail(
                request, "introspectAnyToken", body.introspectAnyToken().toString());
        return clients.setIntrospectAnyToken(clientId, body.introspectAnyToken());
    }

    @PutMapping(path = "/{clientId}/resources", consumes = "application/json")
    @Audited(value = "admin.client.resources.update", subject = "clientId")
    @Operation(
            summary = "Replace the resources a client may request tokens for (RFC 8707 resource indicators; absolute"
                    + " URIs matched exactly)")
    ClientAdministration.ClientView resources(
            @PathVariable String clientId, @Valid @RequestBody ResourcesRequest body, HttpServletRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        List<String> resources = resources(body.resources(), errors);
        if (!errors.isEmpty()) {
            throw new AdminException(
                    HttpStatus.BAD_REQUEST, "admin.invalid_fields", "The request has invalid fields.", errors);
        }
        AdminAuditInterceptor.detail(request, "resources", String.valueOf(resources.size()));
        return clients.setResources(clientId, resources);
    }

    @PutMapping(path = "/{clientId}/backchannel-logout", consumes = "application/json")
    @Audited(value = "admin.client.backchannel_logout.update", subject = "clientId")
    @Operation(
            summary = "Set or remove a client's back-channel logout URI (OIDC Back-Channel Logout 1.0): logout tokens"
                    + " are posted there when a session of its users ends")
    ClientAdministration.ClientView backchannelLogout(
            @PathVariable String clientId,
            @Valid @RequestBody BackchannelLogoutRequest body,
            HttpServletRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        @Nullable String uri = backchannelLogoutUri(body.backchannelLogoutUri(), errors);
        if (!errors.isEmpty()) {
            throw new AdminException(
                    HttpStatus.BAD_REQUEST, "admin.invalid_fields", "The request has invalid fields.", errors);
        }
        AdminAuditInterceptor.detail(request, "backchannelLogoutUri", uri == null ? "removed" : "set");
        return clients.setBackchannelLogout(
                clientId, uri, Boolean.TRUE.equals(body.backchannelLogoutSessionRequired()));
    }

    @PutMapping(path = "/{clientId}/keys", consumes = "application/json")
    @Audited(value = "admin.client.keys.update", subject = "clientId")
    @Operation(
            summary = "Make a confidential client authenticate with private_key_jwt (RFC 7523) signed by these keys"
                    + " (jwks by value or jwksUri, not both); its secret, if any, stops working")
    ClientAdministration.ClientView keys(
            @PathVariable String clientId, @Valid @RequestBody KeysRequest body, HttpServletRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        String jwks = null;
        String jwksUri = null;
        if ((body.jwks() == null) == (body.jwksUri() == null)) {
            errors.add(error(
                    "jwks",
                    "admin.client.keys",
                    "give exactly one of jwks and jwksUri (RFC 7591 §2: they must not both be present)"));
        } else if (body.jwks() != null) {
            ClientKeys.Checked checked = ClientKeys.checkJwks(body.jwks());
            if (checked instanceof ClientKeys.Checked.Accepted accepted) {
                jwks = accepted.value();
            } else if (checked instanceof ClientKeys.Checked.Refused refused) {
                errors.add(error("jwks", "admin.invalid_jwks", refused.reason()));
            }
        } else {
            ClientKeys.Checked checked =
                    ClientKeys.checkJwksUri(java.util.Objects.requireNonNull(body.jwksUri()), false);
            if (checked instanceof ClientKeys.Checked.Accepted accepted) {
                jwksUri = accepted.value();
            } else if (checked instanceof ClientKeys.Checked.Refused refused) {
                errors.add(error("jwksUri", "admin.invalid_jwks_uri", refused.reason()));
            }
        }
        if (!errors.isEmpty()) {
            throw new AdminException(
                    HttpStatus.BAD_REQUEST, "admin.invalid_fields", "The request has invalid fields.", errors);
        }
        AdminAuditInterceptor.detail(request, "keys", jwks != null ? "jwks" : "jwks_uri");
        return clients.setKeys(clientId, jwks, jwksUri);
    }

    @PutMapping(path = "/{clientId}/client-secret-jwt", consumes = "application/json")
    @Audited(value = "admin.client.client_secret_jwt", subject = "clientId")
    @Operation(
            summary = "Make a confidential client authenticate with client_secret_jwt only (RFC 7523; a new secret,"
                    + " in this response only), or with client_secret_basic and client_secret_post again")
    ResponseEntity<Registered> clientSecretJwt(
            @PathVariable String clientId,
            @Valid @RequestBody ClientSecretJwtRequest body,
            HttpServletRequest request) {
        AdminAuditInterceptor.detail(
                request, "clientSecretJwt", body.clientSecretJwt().toString());
        ClientAdministration.ClientWithSecret changed = clients.setClientSecretJwt(clientId, body.clientSecretJwt());
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(new Registered(changed.client(), changed.clientSecret()));
    }

    @PostMapping("/{clientId}/secret")
    @Audited(value = "admin.client.secret.rotate", subject = "clientId")
    @Operation(summary = "Rotate a client's secret: the old one stops working, the new one is in this response only")
    ResponseEntity<Secret> rotateSecret(@PathVariable String clientId) {
        ClientAdministration.ClientWithSecret rotated = clients.rotateSecret(clientId);
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(new Secret(clientId, java.util.Objects.requireNonNull(rotated.clientSecret())));
    }

    @DeleteMapping("/{clientId}")
    @Audited(value = "admin.client.delete", subject = "clientId")
    @Operation(summary = "Delete a client, its sessions and consents")
    ResponseEntity<Void> delete(@PathVariable String clientId) {
        clients.delete(clientId);
        return ResponseEntity.noContent().build();
    }

    private static List<String> uris(String field, @Nullable List<String> values, List<Map<String, String>> errors) {
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            int index = i;
            RedirectUriRules.problem(v)
                    .ifPresentOrElse(
                            p -> errors.add(error(
                                    field + "[" + index + "]", "admin.invalid_redirect_uri", "redirect URI " + p)),
                            () -> out.add(v));
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    /** RFC 8707 §2 resource URIs ({@link ResourceIndicators#registrationProblem}); the reason never echoes one. */
    private static List<String> resources(@Nullable List<String> values, List<Map<String, String>> errors) {
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            int index = i;
            ResourceIndicators.registrationProblem(v)
                    .ifPresentOrElse(
                            p -> errors.add(
                                    error("resources[" + index + "]", "admin.invalid_resource", "resource " + p)),
                            () -> out.add(v));
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    /** OIDC Back-Channel Logout 1.0 §2.2 ({@link BackchannelLogoutUris#problem}); an operator may name a private host. */
    private static @Nullable String backchannelLogoutUri(@Nullable String value, List<Map<String, String>> errors) {
        if (value == null) {
            return null;
        }
        Optional<String> problem = BackchannelLogoutUris.problem(value, false);
        if (problem.isPresent()) {
            errors.add(error(
                    "backchannelLogoutUri",
                    "admin.invalid_backchannel_logout_uri",
                    "back-channel logout URI " + problem.get()));
            return null;
        }
        return value;
    }

    private static Map<String, String> error(String field, String code, String message) {
        return Map.of("field", field, "code", code, "message", message);
    }

    private static String cut(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7E]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}
