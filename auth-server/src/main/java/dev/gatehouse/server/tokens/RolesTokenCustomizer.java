package dev.gatehouse.server.tokens;

import dev.gatehouse.server.users.JdbcUserStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Shapes access tokens as RFC 9068 JWTs: {@code typ: at+jwt} (§2.1), {@code client_id} (§2.2), the user's roles
 * in a {@code roles} claim (§2.2.3.1 names {@code roles} for exactly this) and the user's effective permissions (the
 * union of the permissions of those roles, {@code resource:action}, sorted and deduplicated) in a {@code permissions}
 * claim (RFC 9068 §2.2.3.1 {@code entitlements} is for SCIM entitlements; {@code permissions} says what it is).
 * Both are read from the database at issue time, so a token carries the roles as they were then. Tokens obtained by
 * client credentials carry no user, so neither claim. ID tokens are left as Spring Authorization Server builds them.
 *
 * <p><b>Which tokens carry them (the scope rule).</b> Roles and permissions say what the user may do at a resource
 * server; a client may use them only as far as the user let it (RFC 6749 §3.3: the scope is what the token may be used
 * for). So a user's access token carries {@code roles} and {@code permissions} only when its <em>authorized</em>
 * scopes include at least one resource scope: any scope other than the OpenID Connect identity scopes ({@code
 * openid}, {@code profile}, {@code email}, {@code address}, {@code phone}, {@code offline_access}; OIDC Core §5.4,
 * §11), which only unlock
 * claims about the user at the UserInfo endpoint. An access token with no granted scope, or with identity scopes
 * only, carries neither claim: a refused or narrowed consent cannot be turned into the user's full authority. The
 * rule reads the token's own authorized scopes, so it holds for every grant (code, refresh, device, token exchange).
 */
public final class RolesTokenCustomizer implements OAuth2TokenCustomizer<JwtEncodingContext> {

    /** The claim that carries the user's roles. */
    public static final String ROLES_CLAIM = "roles";

    /** The claim that carries the user's effective permissions. */
    public static final String PERMISSIONS_CLAIM = "permissions";

    /** Scopes that grant claims about the user (OIDC Core §5.4, §11), not access to a resource server. */
    static final Set<String> IDENTITY_SCOPES = Set.of(
            OidcScopes.OPENID,
            OidcScopes.PROFILE,
            OidcScopes.EMAIL,
            OidcScopes.ADDRESS,
            OidcScopes.PHONE,
            "offline_access");

    private final JdbcUserStore users;

    /**
     * Creates the customizer.
     *
     * @param users where roles are looked up
     */
    public RolesTokenCustomizer(JdbcUserStore users) {
        this.users = Objects.requireNonNull(users, "users must not be null");
    }

    /**
     * The scope rule: true when the authorized scopes include a resource scope (any scope that is not an identity
     * scope), so the token may carry the user's roles and permissions.
     *
     * @param authorizedScopes the scopes granted to the token
     * @return whether roles and permissions go into the token
     */
    static boolean conveysAuthority(@Nullable Set<String> authorizedScopes) {
        return authorizedScopes != null && authorizedScopes.stream().anyMatch(s -> !IDENTITY_SCOPES.contains(s));
    }

    @Override
    public void customize(JwtEncodingContext context) {
        if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
            return;
        }
        context.getJwsHeader().type("at+jwt");
        context.getClaims().claim("client_id", context.getRegisteredClient().getClientId());
        // RFC 9068 §2.2.3 / RFC 8693 §4.2: scope is one space-separated string, not a JSON array.
        context.getClaims().claims(claims -> {
            if (claims.get("scope") instanceof Collection<?> scopes) {
                claims.put(
                        "scope",
                        String.join(" ", scopes.stream().map(String::valueOf).toList()));
            }
        });
        if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
            return;
        }
        // A token for a user (code, refresh, device, exchange) only while that user exists and is enabled: a
        // disabled account must not keep refreshing its way to new tokens (RFC 6749 §5.2 invalid_grant).
        String username = context.getPrincipal().getName();
        if (users.find(username).filter(JdbcUserStore.StoredUser::enabled).isEmpty()) {
            throw new org.springframework.security.oauth2.core.OAuth2AuthenticationException(
                    new org.springframework.security.oauth2.core.OAuth2Error(
                            org.springframework.security.oauth2.core.OAuth2ErrorCodes.INVALID_GRANT,
                            "The user of this grant is no longer active.",
                            "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"));
        }
        if (!conveysAuthority(context.getAuthorizedScopes())) {
            return;
        }
        List<String> roles = users.roles(username);
        if (!roles.isEmpty()) {
            context.getClaims().claim(ROLES_CLAIM, roles);
        }
        List<String> permissions = users.permissions(username);
        if (!permissions.isEmpty()) {
            // An ArrayList: the stored authorization keeps the claims as JSON with type ids, and Spring Authorization
            // Server's allowlist reads back ArrayList but not the JDK's immutable lists.
            context.getClaims().claim(PERMISSIONS_CLAIM, new ArrayList<>(permissions));
        }
    }
}
