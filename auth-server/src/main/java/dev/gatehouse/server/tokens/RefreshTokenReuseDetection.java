package dev.gatehouse.server.tokens;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * Refresh-token rotation with reuse detection (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2), as a decorator of Spring
 * Authorization Server's {@link OAuth2AuthorizationService}. With {@code reuseRefreshTokens=false} the server issues
 * a new refresh token on every refresh; this decorator remembers each replaced token (its SHA-256, never the value)
 * in {@code gh_consumed_refresh_token}. When a remembered token is presented again, someone holds a copy: the whole
 * authorization (the "family": its access, refresh and ID tokens) is removed, so neither the thief nor the
 * legitimate client can continue, and the user signs in again.
 *
 * <p>Concurrent use of one refresh token is caught too: the token replaced is the one presented in the request
 * (remembered from {@link #findByToken} for the rest of the request), and its hash is the table's primary key, so
 * of two rotations of the same token only one insert succeeds; the other revokes the family and fails with {@code
 * invalid_grant}.
 *
 * <p>The authorization found for the presented refresh token is also the answer to the same lookup repeated later in
 * the same request ({@link RefreshGrantFactorCheck} looks it up before Spring Authorization Server's refresh provider
 * does): one query and one JSON mapping of the row per refresh instead of two. The memo lives in the request's
 * attributes (never shared with another request), is keyed by the exact token value, and is dropped by any save or
 * remove; a revocation from another node is therefore seen by the next request, as it was when the second lookup
 * ran microseconds after the first (a concurrent revocation is caught when saving, as before).
 */
final class RefreshTokenReuseDetection implements OAuth2AuthorizationService {

    private static final Logger log = LoggerFactory.getLogger(RefreshTokenReuseDetection.class);

    private static final String PRESENTED = RefreshTokenReuseDetection.class.getName() + ".presented";
    private static final String FOUND = RefreshTokenReuseDetection.class.getName() + ".found";

    private final OAuth2AuthorizationService delegate;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final AuditLog audit;

    /**
     * Creates the decorator.
     *
     * @param delegate the authorization store (JDBC)
     * @param jdbc the JDBC template for the consumed-token table
     * @param clock the clock
     * @param audit records each family revocation ({@code token.revoke}, reason {@code refresh_token_reuse})
     */
    public RefreshTokenReuseDetection(
            OAuth2AuthorizationService delegate, JdbcTemplate jdbc, Clock clock, AuditLog audit) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
    }

    @Override
    public void save(OAuth2Authorization authorization) {
        forgetFound();
        OAuth2Authorization.Token<OAuth2RefreshToken> after = authorization.getRefreshToken();
        if (after == null) {
            // No refresh token (client credentials, a code not yet exchanged): nothing can have been rotated, and
            // the token endpoint's hottest path skips a lookup.
            delegate.save(authorization);
            return;
        }
        // The token being replaced is the one the client presented in this request (not whatever the database
        // holds now: a concurrent rotation may already have replaced it there).
        OAuth2RefreshToken replaced = presented(authorization.getId());
        if (replaced == null) {
            OAuth2Authorization existing = delegate.findById(authorization.getId());
            replaced = existing == null || existing.getRefreshToken() == null
                    ? null
                    : existing.getRefreshToken().getToken();
        }
        if (replaced != null
                && !replaced.getTokenValue().equals(after.getToken().getTokenValue())) {
            consume(replaced, authorization);
            delegate.save(authorization);
            // A concurrent reuse may have revoked the family while this rotation was in flight; the revocation is
            // recorded before the row is removed, so checking after saving cannot miss it.
            if (revoked(authorization.getId())) {
                delegate.remove(authorization);
                throw reused();
            }
            return;
        }
        delegate.save(authorization);
    }

    /**
     * Remembers, for the rest of this request, which refresh token was presented for which authorization, and the
     * authorization found for it (until the next save or remove).
     */
    private static void remember(OAuth2Authorization found, String token) {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        OAuth2Authorization.Token<OAuth2RefreshToken> t = found.getRefreshToken();
        if (request != null && t != null && t.getToken().getTokenValue().equals(token)) {
            request.setAttribute(
                    PRESENTED, new Presented(found.getId(), t.getToken()), RequestAttributes.SCOPE_REQUEST);
            request.setAttribute(FOUND, new Found(token, found), RequestAttributes.SCOPE_REQUEST);
        }
    }

    /** The authorization this request already found for exactly this refresh token value, if nothing was saved since. */
    private static @Nullable OAuth2Authorization foundBefore(String token) {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request != null
                && request.getAttribute(FOUND, RequestAttributes.SCOPE_REQUEST) instanceof Found f
                && f.token().equals(token)) {
            return f.authorization();
        }
        return null;
    }

    private static void forgetFound() {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request != null) {
            request.removeAttribute(FOUND, RequestAttributes.SCOPE_REQUEST);
        }
    }

    private static @Nullable OAuth2RefreshToken presented(String authorizationId) {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request != null
                && request.getAttribute(PRESENTED, RequestAttributes.SCOPE_REQUEST) instanceof Presented p
                && p.authorizationId().equals(authorizationId)) {
            return p.token();
        }
        return null;
    }

    private record Presented(String authorizationId, OAuth2RefreshToken token) {}

    private record Found(String token, OAuth2Authorization authorization) {}

    private boolean revoked(String authorizationId) {
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_revoked_authorization WHERE authorization_id = ?",
                Integer.class,
                authorizationId);
        return n != null && n > 0;
    }

    private static OAuth2AuthenticationException reused() {
        return new OAuth2AuthenticationException(new OAuth2Error(
                OAuth2ErrorCodes.INVALID_GRANT,
                "refresh token was already used",
                "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"));
    }

    private void consume(OAuth2RefreshToken replaced, OAuth2Authorization authorization) {
        Instant expires = replaced.getExpiresAt() != null
                ? replaced.getExpiresAt()
                : clock.instant().plus(Duration.ofDays(1));
        try {
            jdbc.update(
                    "INSERT INTO gh_consumed_refresh_token (token_hash, authorization_id, expires_at) VALUES (?, ?, ?)",
                    hash(replaced.getTokenValue()),
                    authorization.getId(),
                    Timestamp.from(expires));
        } catch (DuplicateKeyException e) {
            revokeFamily(authorization.getId(), "concurrent use of one refresh token", "concurrent_refresh");
            throw reused();
        }
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        forgetFound();
        delegate.remove(authorization);
    }

    @Override
    public @Nullable OAuth2Authorization findById(String id) {
        return delegate.findById(id);
    }

    @Override
    public @Nullable OAuth2Authorization findByToken(String token, @Nullable OAuth2TokenType tokenType) {
        if (OAuth2TokenType.REFRESH_TOKEN.equals(tokenType)) {
            OAuth2Authorization before = foundBefore(token);
            if (before != null) {
                return before;
            }
        }
        OAuth2Authorization found = delegate.findByToken(token, tokenType);
        if (found != null && OAuth2TokenType.REFRESH_TOKEN.equals(tokenType)) {
            remember(found, token);
        }
        if (found == null && OAuth2TokenType.REFRESH_TOKEN.equals(tokenType)) {
            List<String> family = jdbc.queryForList(
                    "SELECT authorization_id FROM gh_consumed_refresh_token WHERE token_hash = ?",
                    String.class,
                    hash(token));
            if (!family.isEmpty()) {
                revokeFamily(family.get(0), "a rotated refresh token was presented again", "reused_refresh_token");
            }
        }
        return found;
    }

    private void revokeFamily(String authorizationId, String why, String detection) {
        forgetFound();
        try {
            jdbc.update(
                    "INSERT INTO gh_revoked_authorization (authorization_id, expires_at) VALUES (?, ?)",
                    authorizationId,
                    Timestamp.from(clock.instant().plus(Duration.ofDays(30))));
        } catch (DuplicateKeyException e) {
            // already revoked
        }
        OAuth2Authorization family = delegate.findById(authorizationId);
        if (family != null) {
            delegate.remove(family);
        }
        log.warn(
                "refresh token reuse detected ({}): revoked authorization {} and all its tokens", why, authorizationId);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("reason", "refresh_token_reuse");
        details.put("detection", detection);
        details.put("authorization_id", authorizationId);
        if (family != null) {
            details.put("client_id", family.getRegisteredClientId());
            OAuth2Authorization.Token<?> access = family.getAccessToken();
            Object jti = access == null || access.getClaims() == null
                    ? null
                    : access.getClaims().get("jti");
            if (jti != null) {
                details.put("jti", jti.toString());
            }
        }
        audit.record(new AuditEvent(
                AuditEvents.TOKEN_REVOKE,
                AuditEvent.SUCCESS,
                null,
                family == null ? null : family.getPrincipalName(),
                details));
    }

    /**
     * SHA-256 of a token value, hex: refresh tokens are 256-bit random strings, so a fast unkeyed hash suffices.
     *
     * @param token the token value
     * @return the hash
     */
    static String hash(String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
