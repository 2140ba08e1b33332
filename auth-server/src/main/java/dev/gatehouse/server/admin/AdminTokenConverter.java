package dev.gatehouse.server.admin;

import dev.gatehouse.server.tokens.RolesTokenCustomizer;
import dev.gatehouse.server.tokens.StoredAccessTokens;
import dev.gatehouse.server.users.JdbcUserStore;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;

/**
 * Turns a verified access token of this server (signature, {@code typ: at+jwt}, issuer and times already checked by
 * the server's {@code JwtDecoder}) into the admin caller. Because the server is the token's issuer it also checks its
 * own records ({@link StoredAccessTokens}), so a revoked token stops working here at once (unlike at resource servers
 * that only check signatures):
 *
 * <ul>
 *   <li>the token must belong to a stored, active authorization (not revoked, RFC 7009; not removed by refresh-token
 *       reuse detection or by an admin revoking the session);
 *   <li>sender-constrained tokens ({@code cnf}, RFC 9449 DPoP) are refused: this endpoint accepts Bearer only, and a
 *       DPoP-bound token must not be usable as a bearer token (RFC 9449 §7.1);
 *   <li>a token conveys roles only if it carries the admin scope (RFC 6749 §3.3: the scope is what the token may be
 *       used for). A user token conveys the user's roles that are both in its {@code roles} claim (RFC 9068 §2.2.3.1)
 *       and still assigned now, and only while the user is enabled; a client-credentials token conveys {@code
 *       admin-client}.
 * </ul>
 *
 * Failures are {@code invalid_token} (RFC 6750 §3.1), answered 401.
 */
final class AdminTokenConverter implements Converter<Jwt, AbstractAuthenticationToken> {

    private final StoredAccessTokens stored;
    private final JdbcUserStore users;
    private final String adminScope;

    AdminTokenConverter(OAuth2AuthorizationService authorizations, JdbcUserStore users, String adminScope) {
        this.stored = new StoredAccessTokens(authorizations, users);
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.adminScope = Objects.requireNonNull(adminScope, "adminScope must not be null");
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        OAuth2Authorization authorization = stored.requireActive(jwt);
        String subject = jwt.getSubject();
        String clientId = jwt.getClaimAsString("client_id");
        Set<String> scopes = scopes(jwt);
        boolean admin = scopes.contains(adminScope);
        if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(authorization.getAuthorizationGrantType())) {
            return new AdminAuthentication(
                    subject,
                    AdminAuthentication.Kind.CLIENT,
                    clientId,
                    scopes,
                    admin ? Set.of(AdminPolicy.ADMIN_CLIENT) : Set.of());
        }
        Set<String> roles = new HashSet<>();
        if (admin) {
            List<String> claimed = jwt.getClaimAsStringList(RolesTokenCustomizer.ROLES_CLAIM);
            if (claimed != null) {
                roles.addAll(claimed);
                roles.retainAll(users.roles(subject)); // a role removed since issue no longer counts
            }
            roles.remove(AdminPolicy.ADMIN_CLIENT); // reserved for client-credentials tokens
        }
        return new AdminAuthentication(subject, AdminAuthentication.Kind.USER, clientId, scopes, roles);
    }

    /** RFC 9068 §2.2.3: one space-separated string (a JSON array is tolerated). */
    private static Set<String> scopes(Jwt jwt) {
        Object scope = jwt.getClaims().get("scope");
        Set<String> out = new HashSet<>();
        if (scope instanceof String s) {
            for (String part : s.split(" ")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        } else if (scope instanceof java.util.Collection<?> c) {
            c.forEach(o -> out.add(String.valueOf(o)));
        }
        return out;
    }
}
