package dev.gatehouse.server.admin;

import dev.gatehouse.server.logout.BackchannelLogout;
import dev.gatehouse.server.tokens.StoredAuthorizations;
import dev.gatehouse.server.users.SignInSessions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.stereotype.Component;

/**
 * A user's sessions, for the admin API: the stored authorizations (listed by the tokens package's {@link
 * StoredAuthorizations}, without any token value; revoked through Spring Authorization Server's {@link
 * OAuth2AuthorizationService}, so introspection answers {@code active: false} at once, RFC 7662 §2.2) and the browser
 * sign-ins on every node ({@link SignInSessions}). Callers check that the user exists.
 */
@Component
final class SessionAdministration {

    /**
     * A session: one stored authorization of the user (code, refresh, device or exchange grant), without any token.
     *
     * @param id the authorization id, for revocation
     * @param clientId the client it was issued to
     * @param grantType the grant that created it
     * @param scopes the authorized scopes
     * @param issuedAt when its latest token (or code) was issued
     * @param accessTokenExpiresAt when its access token expires, if it has one
     * @param refreshTokenExpiresAt when its refresh token expires, if it has one
     */
    record SessionView(
            String id,
            @Nullable String clientId,
            String grantType,
            List<String> scopes,
            @Nullable Instant issuedAt,
            @Nullable Instant accessTokenExpiresAt,
            @Nullable Instant refreshTokenExpiresAt) {

        static SessionView of(StoredAuthorizations.Summary s, @Nullable RegisteredClient client) {
            return new SessionView(
                    s.id(),
                    client == null ? null : client.getClientId(),
                    s.grantType(),
                    s.scopes(),
                    s.issuedAt(),
                    s.accessTokenExpiresAt(),
                    s.refreshTokenExpiresAt());
        }
    }

    private final StoredAuthorizations stored;
    private final OAuth2AuthorizationService authorizations;
    private final RegisteredClientRepository clients;
    private final SignInSessions signIns;
    private final BackchannelLogout backchannel;

    SessionAdministration(
            StoredAuthorizations stored,
            OAuth2AuthorizationService authorizations,
            RegisteredClientRepository clients,
            SignInSessions signIns,
            BackchannelLogout backchannel) {
        this.stored = stored;
        this.clients = clients;
        this.authorizations = authorizations;
        this.signIns = signIns;
        this.backchannel = backchannel;
    }

    /** One page of the user's sessions, by id. */
    Paging.Page<SessionView> sessions(String username, Paging paging) {
        return paging.page(
                views(stored.ofUser(username, paging.size(), paging.offset())), stored.countOfUser(username));
    }

    /** Every session of the user. */
    List<SessionView> sessions(String username) {
        return views(stored.ofUser(username, Integer.MAX_VALUE, 0));
    }

    /** The client ids come from the repository (cached), so a page reads no table the clients package owns. */
    private List<SessionView> views(List<StoredAuthorizations.Summary> summaries) {
        Map<String, Optional<RegisteredClient>> byId = new HashMap<>();
        return summaries.stream()
                .map(s -> SessionView.of(
                        s,
                        byId.computeIfAbsent(s.registeredClientId(), id -> Optional.ofNullable(clients.findById(id)))
                                .orElse(null)))
                .toList();
    }

    /** Revokes one session; another user's, a client's own (client credentials) or an unknown id is not found. */
    void revoke(String username, String id) {
        OAuth2Authorization authorization = authorizations.findById(id);
        if (authorization == null
                || !authorization.getPrincipalName().equals(username)
                || AuthorizationGrantType.CLIENT_CREDENTIALS.equals(authorization.getAuthorizationGrantType())) {
            throw AdminException.notFound("Session '" + id + "' of user '" + username + "'");
        }
        authorizations.remove(authorization);
    }

    /** Ends the user's browser sign-ins on every node and revokes every stored authorization; returns how many. */
    int revokeAll(String username) {
        endSignIns(username); // browser sign-ins too, on every node (not only the stored tokens)
        int revoked = 0;
        for (SessionView s : sessions(username)) {
            OAuth2Authorization authorization = authorizations.findById(s.id());
            if (authorization != null) {
                authorizations.remove(authorization);
                revoked++;
            }
        }
        return revoked;
    }

    /** Ends the user's browser sign-ins on every node, leaving stored authorizations alone. */
    void endSignIns(String username) {
        signIns.endAll(username);
        // Their relying parties are told too (OIDC Back-Channel Logout 1.0 §2.5); queued, sent by the worker.
        backchannel.userSessionsEnded(username, null, BackchannelLogout.ADMIN);
    }
}
