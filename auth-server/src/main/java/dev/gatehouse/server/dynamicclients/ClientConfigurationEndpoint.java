package dev.gatehouse.server.dynamicclients;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.clients.SealedClientSecrets;
import dev.gatehouse.server.logout.BackchannelLogoutUris;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.OAuth2ClientRegistration;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.http.converter.OAuth2ClientRegistrationHttpMessageConverter;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

/**
 * The client configuration endpoint (RFC 7592 §2), {@code /oauth2/register/{client_id}}: read ({@code GET}), update
 * ({@code PUT}, the full metadata, checked by the registration policy) and delete ({@code DELETE}) with the client's
 * registration access token as bearer token. Spring Authorization Server has no update or delete, hence a filter of
 * its chain. Every answer to a wrong token, an unknown client or a client not registered dynamically is the same 401
 * {@code invalid_token} (RFC 7592 §2.1: no telling which). Read and update answer with a new registration access
 * token, the old one stops working (RFC 7592 §3: the server may rotate it; only hashes are kept, so it cannot be
 * shown again). Changes go through the client repository, which bumps the client change epoch, so every node sees
 * them; a deletion removes the client's tokens and consents with it. While registration is off, both URIs answer 404.
 */
final class ClientConfigurationEndpoint extends OncePerRequestFilter {

    private static final String ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc7592#section-2";
    private static final UrlPathHelper PATHS = paths();

    /** What the endpoint needs of the client store. */
    interface Store {
        @Nullable
        RegisteredClient findByClientId(String clientId);

        /** Saves through the client repository (the change epoch moves). */
        void save(RegisteredClient client);

        /** Removes the client, its authorizations and consents. */
        void delete(RegisteredClient client);

        /** Removes the consents users gave the client, so they are asked again. */
        void forgetConsents(RegisteredClient client);

        /** Removes the client's client-credentials authorizations (what its secret alone could mint). */
        void removeClientCredentials(RegisteredClient client);
    }

    private final boolean enabled;
    private final int maxBodyBytes;
    private final RegistrationPolicy policy;
    private final RegistrationAccessTokens tokens;
    private final ClientSecrets secrets;
    private final Store store;
    private final TransactionTemplate tx;
    private final AuditLog audit;
    private final RegistrationResponses responses;
    private final Function<String, String> clientUri;
    private final SealedClientSecrets sealed;
    private final OAuth2ClientRegistrationHttpMessageConverter json =
            new OAuth2ClientRegistrationHttpMessageConverter();

    ClientConfigurationEndpoint(
            boolean enabled,
            int maxBodyBytes,
            RegistrationPolicy policy,
            RegistrationAccessTokens tokens,
            ClientSecrets secrets,
            Store store,
            TransactionTemplate tx,
            AuditLog audit,
            RegistrationResponses responses,
            Function<String, String> clientUri,
            SealedClientSecrets sealed) {
        this.sealed = Objects.requireNonNull(sealed, "sealed must not be null");
        this.enabled = enabled;
        this.maxBodyBytes = maxBodyBytes;
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
        this.secrets = Objects.requireNonNull(secrets, "secrets must not be null");
        this.store = Objects.requireNonNull(store, "store must not be null");
        this.tx = Objects.requireNonNull(tx, "tx must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.responses = Objects.requireNonNull(responses, "responses must not be null");
        this.clientUri = Objects.requireNonNull(clientUri, "clientUri must not be null");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = PATHS.getPathWithinApplication(request);
        String prefix = DynamicRegistration.REGISTRATION_PATH + "/";
        boolean registration = path.equals(DynamicRegistration.REGISTRATION_PATH);
        if (!registration && !path.startsWith(prefix)) {
            chain.doFilter(request, response);
            return;
        }
        if (!enabled) {
            // Off: as if the endpoint did not exist.
            response.setStatus(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        if (registration) {
            if ("POST".equals(request.getMethod())) {
                chain.doFilter(request, response); // Spring Authorization Server's registration endpoint
            } else {
                response.setHeader("Allow", "POST");
                response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            }
            return;
        }
        String clientId = path.substring(prefix.length());
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("PUT") && !method.equals("DELETE")) {
            response.setHeader("Allow", "GET, PUT, DELETE");
            response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        try {
            handle(request, response, method, clientId);
        } catch (OAuth2AuthenticationException e) {
            refused(method, clientId, e);
            responses.writeError(response, e.getError());
        }
    }

    private void handle(HttpServletRequest request, HttpServletResponse response, String method, String clientId)
            throws IOException {
        String token = RegistrationRequests.bearer(request);
        @Nullable OAuth2ClientRegistration update = null;
        if (method.equals("PUT")) {
            // The body (bounded) is read only once the token is known to be the client's, and outside any
            // transaction: a client trickling its body must not hold a pooled connection meanwhile. The check here
            // is one short query of its own; the token is checked again in the update's transaction.
            authorized(clientId, token);
            update = RegistrationRequests.read(request, maxBodyBytes, json);
        }
        @Nullable OAuth2ClientRegistration metadata = update;
        Result result = Objects.requireNonNull(tx.execute(status -> {
            RegisteredClient client = authorized(clientId, token);
            return switch (method) {
                case "GET" ->
                    new Result(
                            HttpStatus.OK,
                            responses.information(
                                    client, null, rotate(client, token), clientUri.apply(client.getClientId())));
                case "PUT" -> updated(client, Objects.requireNonNull(metadata), Objects.requireNonNull(token));
                default -> {
                    store.delete(client);
                    yield new Result(HttpStatus.NO_CONTENT, null);
                }
            };
        }));
        if (method.equals("GET")) {
            // A read rotates the registration access token (RFC 7592 §3): worth a trace of its own.
            Map<String, String> details = new LinkedHashMap<>();
            details.put("address", String.valueOf(request.getRemoteAddr()));
            details.put("registration_access_token", "rotated");
            audit.record(new AuditEvent(
                    AuditEvents.CLIENT_REGISTRATION_READ, AuditEvent.SUCCESS, clientId, clientId, details));
        } else if (method.equals("PUT")) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("address", String.valueOf(request.getRemoteAddr()));
            // Field names only, never values.
            details.put("changed", result.changed().isEmpty() ? "none" : String.join(",", result.changed()));
            if (result.consentsRemoved()) {
                details.put("consents", "removed");
            }
            audit.record(new AuditEvent(
                    AuditEvents.CLIENT_REGISTRATION_UPDATE, AuditEvent.SUCCESS, clientId, clientId, details));
        } else if (method.equals("DELETE")) {
            audit.record(new AuditEvent(
                    AuditEvents.CLIENT_REGISTRATION_DELETE,
                    AuditEvent.SUCCESS,
                    clientId,
                    clientId,
                    Map.of("address", String.valueOf(request.getRemoteAddr()))));
        }
        if (result.body() == null) {
            response.setHeader("Cache-Control", "no-store");
            response.setStatus(result.status().value());
        } else {
            responses.write(response, result.status(), result.body());
        }
    }

    private record Result(
            HttpStatus status, @Nullable OAuth2ClientRegistration body, List<String> changed, boolean consentsRemoved) {

        Result(HttpStatus status, @Nullable OAuth2ClientRegistration body) {
            this(status, body, List.of(), false);
        }
    }

    private RegisteredClient authorized(String clientId, @Nullable String token) {
        RegisteredClient client = store.findByClientId(clientId);
        boolean ok = client != null && RegistrationPolicy.dynamic(client) && tokens.matches(client.getId(), token);
        if (!ok || client == null) {
            throw invalidToken(
                    token == null
                            ? "no registration access token"
                            : "unknown client or wrong registration access token");
        }
        return client;
    }

    private static OAuth2AuthenticationException invalidToken(String reason) {
        return new OAuth2AuthenticationException(
                new OAuth2Error(
                        OAuth2ErrorCodes.INVALID_TOKEN,
                        "the registration access token is not valid for this client",
                        ERROR_URI),
                reason);
    }

    /** RFC 7592 §2.2: the request's client_id must be the client's; the metadata replaces the stored one. */
    private Result updated(RegisteredClient client, OAuth2ClientRegistration update, String token) {
        if (!client.getClientId().equals(update.getClientId())) {
            throw RegistrationPolicy.error(
                    RegistrationPolicy.INVALID_CLIENT_METADATA, "client_id must be the client's own (RFC 7592 §2.2)");
        }
        String presentedSecret = update.getClientSecret();
        if (presentedSecret != null
                && (client.getClientSecret() == null
                        || !secrets.encoder().matches(presentedSecret, client.getClientSecret()))) {
            throw RegistrationPolicy.error(
                    RegistrationPolicy.INVALID_CLIENT_METADATA, "client_secret does not match (RFC 7592 §2.2)");
        }
        RegistrationPolicy.Metadata metadata = policy.check(update);
        // A client turning confidential gets a secret, shown once; one staying confidential keeps its secret. One
        // turning to client_secret_jwt gets a new secret too (its old one is hashed only, it cannot be sealed); one
        // leaving it loses the sealed copy (SealedClientSecrets.apply).
        boolean toSecretJwt = metadata.secretJwt() && !SealedClientSecrets.registered(client);
        String plain = metadata.secret() && (client.getClientSecret() == null || toSecretJwt)
                ? (metadata.secretJwt() ? sealed.generate() : secrets.generate())
                : null;
        RegisteredClient changed = sealed.apply(
                RegistrationPolicy.withSigningAlgorithm(
                        policy.updated(
                                client,
                                metadata,
                                plain == null ? null : secrets.encoder().encode(plain)),
                        update.getClaims()),
                plain);
        store.save(changed);
        List<String> fields = changedFields(client, changed);
        if (plain != null && client.getClientSecret() != null) {
            // A replaced secret, as on the admin API's switch and rotation: the tokens the old secret alone could
            // mint (client_credentials) go with it, in this transaction. The audit names the field, never a value.
            store.removeClientCredentials(client);
            fields.add("client_secret");
        }
        // A consent was given to the client as it was: where its codes go, how it authenticates and what it may
        // do. When one of those changes, users are asked again (a registration access token alone must not repoint
        // a consented client, RFC 7592 §2.2).
        boolean forget = fields.contains("redirect_uris")
                || fields.contains("token_endpoint_auth_method")
                || fields.contains("grant_types");
        if (forget) {
            store.forgetConsents(changed);
        }
        return new Result(
                HttpStatus.OK,
                responses.information(changed, plain, rotate(changed, token), clientUri.apply(changed.getClientId())),
                fields,
                forget);
    }

    /** The RFC 7591 §2 metadata names whose values differ (the names only, for the audit). */
    static List<String> changedFields(RegisteredClient before, RegisteredClient after) {
        List<String> fields = new ArrayList<>();
        if (!Objects.equals(before.getClientName(), after.getClientName())) {
            fields.add("client_name");
        }
        if (!before.getRedirectUris().equals(after.getRedirectUris())) {
            fields.add("redirect_uris");
        }
        if (!before.getClientAuthenticationMethods().equals(after.getClientAuthenticationMethods())) {
            fields.add("token_endpoint_auth_method");
        }
        if (!before.getAuthorizationGrantTypes().equals(after.getAuthorizationGrantTypes())) {
            fields.add("grant_types");
        }
        if (!before.getScopes().equals(after.getScopes())) {
            fields.add("scope");
        }
        if (!Objects.equals(BackchannelLogoutUris.uri(before), BackchannelLogoutUris.uri(after))) {
            fields.add("backchannel_logout_uri");
        }
        return fields;
    }

    /** RFC 7592 §3: a new token; when a concurrent request rotated first, this one loses (rolled back). */
    private String rotate(RegisteredClient client, @Nullable String token) {
        String rotated = token == null ? null : tokens.rotate(client.getId(), token);
        if (rotated == null) {
            throw invalidToken("registration access token rotated by a concurrent request");
        }
        return rotated;
    }

    private void refused(String method, String clientId, OAuth2AuthenticationException e) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("method", method);
        details.put("error", e.getError().getErrorCode());
        if (e.getMessage() != null) {
            details.put("reason", e.getMessage());
        }
        audit.record(new AuditEvent(
                AuditEvents.CLIENT_REGISTRATION_REFUSED,
                AuditEvent.DENIED,
                null,
                RegistrationPolicy.excerpt(clientId),
                details));
    }

    private static UrlPathHelper paths() {
        UrlPathHelper helper = new UrlPathHelper();
        helper.setUrlDecode(true);
        helper.setRemoveSemicolonContent(true);
        return helper;
    }
}
