package dev.gatehouse.server.tokens;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.stereotype.Component;

/**
 * The queries on Spring Authorization Server's {@code oauth2_authorization} and {@code oauth2_authorization_consent}
 * tables that its {@link org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService} has no
 * method for: a user's authorizations listed without any token value, a client's removed in bulk, expired and
 * abandoned rows purged (with the reuse-detection records of {@code gh_consumed_refresh_token} and {@code
 * gh_revoked_authorization}). The tokens package owns these tables; the admin API and the maintenance jobs go through
 * this class, never with SQL of their own.
 */
@Component
public final class StoredAuthorizations {

    /**
     * One stored authorization of a user (code, refresh, device or exchange grant), without any token value.
     *
     * @param id the authorization id, for revocation through the authorization service
     * @param registeredClientId the registration id of the client it was issued to (not its {@code client_id})
     * @param grantType the grant that created it
     * @param scopes the authorized scopes
     * @param issuedAt when its latest token (or code) was issued
     * @param accessTokenExpiresAt when its access token expires, if it has one
     * @param refreshTokenExpiresAt when its refresh token expires, if it has one
     */
    public record Summary(
            String id,
            String registeredClientId,
            String grantType,
            List<String> scopes,
            @Nullable Instant issuedAt,
            @Nullable Instant accessTokenExpiresAt,
            @Nullable Instant refreshTokenExpiresAt) {}

    /**
     * A user's consent to a client (RFC 6749 §4.1: the scopes the user allowed), as stored by Spring Authorization
     * Server's consent service.
     *
     * @param registeredClientId the registration id of the client (not its {@code client_id})
     * @param scopes the consented scopes, sorted
     */
    public record Consent(String registeredClientId, List<String> scopes) {
        /** Copies the scopes. */
        public Consent {
            Objects.requireNonNull(registeredClientId, "registeredClientId must not be null");
            scopes = List.copyOf(scopes);
        }
    }

    /** Spring Security's prefix of scope authorities in a consent's {@code authorities} column. */
    private static final String SCOPE_PREFIX = "SCOPE_";

    /** How long a row with no code or token expiry may be pending before it counts as abandoned. */
    public static final Duration PENDING_LIFETIME = Duration.ofHours(1);

    private static final String[] EXPIRY_COLUMNS = {
        "authorization_code_expires_at",
        "access_token_expires_at",
        "oidc_id_token_expires_at",
        "refresh_token_expires_at",
        "user_code_expires_at",
        "device_code_expires_at"
    };

    /** Rows with at least one expiry, every one of which is before the cut-off (one {@code ?} per column). */
    private static final String DELETE_EXPIRED;

    /** Rows with no expiry at all (pending requests) created before the cut-off. */
    private static final String DELETE_PENDING;

    static {
        StringBuilder sql = new StringBuilder("DELETE FROM oauth2_authorization WHERE (");
        // At least one expiry is set (rows with none are pending requests: see DELETE_PENDING) ...
        for (int i = 0; i < EXPIRY_COLUMNS.length; i++) {
            sql.append(i == 0 ? "" : " OR ").append(EXPIRY_COLUMNS[i]).append(" IS NOT NULL");
        }
        sql.append(")");
        // ... and every one that is set has expired before the cut-off.
        for (String column : EXPIRY_COLUMNS) {
            sql.append(" AND (")
                    .append(column)
                    .append(" IS NULL OR ")
                    .append(column)
                    .append(" < ?)");
        }
        DELETE_EXPIRED = sql.toString();
        StringBuilder pending = new StringBuilder("DELETE FROM oauth2_authorization WHERE created_at < ?");
        for (String column : EXPIRY_COLUMNS) {
            pending.append(" AND ").append(column).append(" IS NULL");
        }
        DELETE_PENDING = pending.toString();
    }

    // Client-credentials authorizations carry the client id as principal name: never a user's.
    private static final String NOT_CLIENT_CREDENTIALS = AuthorizationGrantType.CLIENT_CREDENTIALS.getValue();

    private final JdbcTemplate jdbc;

    /**
     * Creates the queries.
     *
     * @param jdbc the JDBC template
     */
    public StoredAuthorizations(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
    }

    /**
     * How many authorizations a user holds.
     *
     * @param username the user (the principal name)
     * @return the count
     */
    public long countOfUser(String username) {
        Long total = jdbc.queryForObject(
                "SELECT COUNT(*) FROM oauth2_authorization WHERE principal_name = ? AND authorization_grant_type <> ?",
                Long.class,
                username,
                NOT_CLIENT_CREDENTIALS);
        return total == null ? 0 : total;
    }

    /**
     * One page of a user's authorizations, by id.
     *
     * @param username the user (the principal name)
     * @param limit at most this many
     * @param offset skipping this many
     * @return the summaries
     */
    public List<Summary> ofUser(String username, int limit, long offset) {
        return jdbc.query(
                "SELECT id, registered_client_id, authorization_grant_type, authorized_scopes,"
                        + " authorization_code_issued_at, access_token_issued_at, access_token_expires_at,"
                        + " refresh_token_issued_at, refresh_token_expires_at"
                        + " FROM oauth2_authorization"
                        + " WHERE principal_name = ? AND authorization_grant_type <> ? ORDER BY id"
                        + " LIMIT ? OFFSET ?",
                StoredAuthorizations::summary,
                username,
                NOT_CLIENT_CREDENTIALS,
                limit,
                offset);
    }

    /**
     * The consents a user gave, by client registration id (the account page's list of applications). Authorities
     * that are not scopes are left out.
     *
     * @param username the user (the principal name)
     * @return the consents
     */
    public List<Consent> consentsOf(String username) {
        return jdbc.query(
                "SELECT registered_client_id, authorities FROM oauth2_authorization_consent"
                        + " WHERE principal_name = ? ORDER BY registered_client_id",
                (rs, n) -> new Consent(rs.getString(1), scopes(rs.getString(2))),
                username);
    }

    /**
     * The ids of a user's authorizations for one client (never client-credentials ones), for revocation through the
     * authorization service.
     *
     * @param username the user (the principal name)
     * @param registeredClientId the client's registration id
     * @return the authorization ids
     */
    public List<String> idsOfUserAndClient(String username, String registeredClientId) {
        return jdbc.queryForList(
                "SELECT id FROM oauth2_authorization WHERE principal_name = ? AND registered_client_id = ?"
                        + " AND authorization_grant_type <> ? ORDER BY id",
                String.class,
                username,
                registeredClientId,
                NOT_CLIENT_CREDENTIALS);
    }

    private static List<String> scopes(@Nullable String authorities) {
        if (authorities == null || authorities.isBlank()) {
            return List.of();
        }
        return Arrays.stream(authorities.split(","))
                .map(String::strip)
                .filter(a -> a.startsWith(SCOPE_PREFIX) && a.length() > SCOPE_PREFIX.length())
                .map(a -> a.substring(SCOPE_PREFIX.length()))
                .sorted()
                .toList();
    }

    /**
     * Removes what a client obtained with its secret alone (its client-credentials authorizations), as after a secret
     * rotation; users' authorizations stay.
     *
     * @param registeredClientId the client's registration id (not its {@code client_id})
     * @return how many were removed
     */
    public int removeClientCredentialsOf(String registeredClientId) {
        return jdbc.update(
                "DELETE FROM oauth2_authorization WHERE registered_client_id = ? AND authorization_grant_type = ?",
                registeredClientId,
                AuthorizationGrantType.CLIENT_CREDENTIALS.getValue());
    }

    /**
     * Removes the consents every user gave a client (its authorizations stay), so each user is asked again at the next
     * authorization request.
     *
     * @param registeredClientId the client's registration id
     * @return how many consents were removed
     */
    public int removeConsentsOf(String registeredClientId) {
        return jdbc.update(
                "DELETE FROM oauth2_authorization_consent WHERE registered_client_id = ?", registeredClientId);
    }

    /**
     * Removes every authorization and consent of a client, as before the client itself is removed (so its tokens
     * fail introspection at once).
     *
     * @param registeredClientId the client's registration id (not its {@code client_id})
     */
    public void removeAllOf(String registeredClientId) {
        jdbc.update("DELETE FROM oauth2_authorization WHERE registered_client_id = ?", registeredClientId);
        jdbc.update("DELETE FROM oauth2_authorization_consent WHERE registered_client_id = ?", registeredClientId);
    }

    /**
     * Deletes authorizations whose every code and token expired before {@code cutoff} (Spring Authorization Server
     * never deletes expired rows itself).
     *
     * @param cutoff the cut-off
     * @return how many were deleted
     */
    public int purgeExpired(Instant cutoff) {
        Object[] args = new Object[EXPIRY_COLUMNS.length];
        Arrays.fill(args, Timestamp.from(cutoff));
        return jdbc.update(DELETE_EXPIRED, args);
    }

    /**
     * Deletes pending authorization rows (no code or token expiry at all: unused pushed requests, requests abandoned
     * on the consent page) created before {@code cutoff} (migration V9 added {@code created_at}).
     *
     * @param cutoff the cut-off
     * @return how many were deleted
     */
    public int purgePending(Instant cutoff) {
        return jdbc.update(DELETE_PENDING, Timestamp.from(cutoff));
    }

    /**
     * Forgets consumed refresh tokens and revoked-authorization markers that expired before {@code cutoff}: their
     * tokens can no longer be presented, so reuse detection no longer needs them.
     *
     * @param cutoff the cut-off
     * @return how many consumed refresh tokens were deleted
     */
    public int purgeReuseRecords(Instant cutoff) {
        Timestamp at = Timestamp.from(cutoff);
        int consumed = jdbc.update("DELETE FROM gh_consumed_refresh_token WHERE expires_at < ?", at);
        jdbc.update("DELETE FROM gh_revoked_authorization WHERE expires_at < ?", at);
        return consumed;
    }

    private static Summary summary(ResultSet rs, int n) throws SQLException {
        Instant issued = latest(
                instant(rs, "authorization_code_issued_at"),
                instant(rs, "access_token_issued_at"),
                instant(rs, "refresh_token_issued_at"));
        String scopes = rs.getString("authorized_scopes");
        return new Summary(
                rs.getString("id"),
                rs.getString("registered_client_id"),
                rs.getString("authorization_grant_type"),
                scopes == null || scopes.isBlank() ? List.of() : List.of(scopes.split(",")),
                issued,
                instant(rs, "access_token_expires_at"),
                instant(rs, "refresh_token_expires_at"));
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static @Nullable Instant latest(@Nullable Instant... instants) {
        Instant max = null;
        for (Instant i : instants) {
            if (i != null && (max == null || i.isAfter(max))) {
                max = i;
            }
        }
        return max;
    }
}
