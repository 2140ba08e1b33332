package dev.gatehouse.server.admin;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * The caller of the admin API, from a verified access token of this server: its subject, whether it is a user or a
 * client acting for itself (client credentials), the client it came through, the token's scopes and the roles the
 * token conveys to the policy. Never holds the token value.
 */
final class AdminAuthentication extends AbstractAuthenticationToken {

    private static final long serialVersionUID = 1L;

    /** What kind of principal the token stands for. */
    enum Kind {
        /** A person, through a user grant (authorization code, refresh, device code, token exchange). */
        USER,
        /** A client acting for itself (RFC 6749 §4.4 client credentials). */
        CLIENT
    }

    private final String subject;
    private final Kind kind;
    private final String clientId;
    private final Set<String> scopes;
    private final Set<String> roles;

    AdminAuthentication(String subject, Kind kind, String clientId, Set<String> scopes, Set<String> roles) {
        super(List.of());
        this.subject = Objects.requireNonNull(subject, "subject must not be null");
        this.kind = Objects.requireNonNull(kind, "kind must not be null");
        this.clientId = Objects.requireNonNull(clientId, "clientId must not be null");
        this.scopes = Set.copyOf(scopes);
        this.roles = Set.copyOf(roles);
        setAuthenticated(true);
    }

    @Override
    public @Nullable Object getCredentials() {
        return null; // the token value is never kept on the principal
    }

    @Override
    public Object getPrincipal() {
        return subject;
    }

    @Override
    public String getName() {
        return subject;
    }

    Kind kind() {
        return kind;
    }

    String clientId() {
        return clientId;
    }

    Set<String> scopes() {
        return scopes;
    }

    Set<String> roles() {
        return roles;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof AdminAuthentication a
                && a.subject.equals(subject)
                && a.kind == kind
                && a.clientId.equals(clientId)
                && a.scopes.equals(scopes)
                && a.roles.equals(roles);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, kind, clientId, scopes, roles);
    }

    @Override
    public String toString() {
        return "AdminAuthentication[" + kind + " " + subject + " via " + clientId + ", roles=" + roles + "]";
    }
}
