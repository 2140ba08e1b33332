package dev.gatehouse.server.logout;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.audit.CorrelationIdFilter;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Remembers which relying parties were given an ID token for which OP session ({@code gh_rp_session}) and, when
 * sessions end, queues a logout token for each of them that registered a {@code backchannel_logout_uri} (OIDC
 * Back-Channel Logout 1.0 §2.5): one row per (client, sid) in {@code gh_logout_delivery}, sent by {@link
 * LogoutDeliveries} on any node.
 *
 * <p>Callers are the request threads of the logout and session-ending paths: these methods only write rows, in a
 * nested transaction (a savepoint when the caller has a transaction, so a failure here never rolls the caller's work
 * back), never do I/O to a client, and never throw: a failure is logged and audited ({@code logout.backchannel},
 * failure, {@code reason=enqueue}) and the user's logout completes.
 */
public final class BackchannelLogout {

    /** Trigger names, the {@code reason} of a delivery. */
    public static final String LOGOUT = "logout";

    /** RP-initiated logout ({@code /connect/logout}). */
    public static final String RP_LOGOUT = "rp_logout";

    /** The user ended sessions on the account pages (one, all others, or through a password or passkey change). */
    public static final String ACCOUNT = "account";

    /** A password reset through the e-mail link. */
    public static final String PASSWORD_RESET = "password_reset";

    /** An operator ended the user's sessions (revoke all, disable, password, MFA or passkey reset). */
    public static final String ADMIN = "admin";

    /** An ID token was issued for a session that had already ended (a code redeemed after the logout). */
    static final String ENDED_BEFORE_ISSUE = "ended_before_issue";

    /** The client id of a row that only records that a session ended (no relying party had a token for it yet). */
    static final String TOMBSTONE = "";

    private static final Logger log = LoggerFactory.getLogger(BackchannelLogout.class);

    private final JdbcTemplate jdbc;
    private final RegisteredClientRepository clients;
    private final Clock clock;
    private final AuditLog audit;
    private final TransactionTemplate nested;

    /**
     * Creates the service.
     *
     * @param jdbc the JDBC template
     * @param clients the registered clients
     * @param clock the current time
     * @param audit the audit log
     * @param transactions the transaction manager (savepoints are used inside a caller's transaction)
     */
    public BackchannelLogout(
            JdbcTemplate jdbc,
            RegisteredClientRepository clients,
            Clock clock,
            AuditLog audit,
            PlatformTransactionManager transactions) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clients = Objects.requireNonNull(clients, "clients must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.nested = new TransactionTemplate(Objects.requireNonNull(transactions, "transactions must not be null"));
        this.nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /**
     * Records that a relying party was given an ID token carrying {@code sid}; when that session already ended, its
     * logout token is queued at once.
     *
     * @param sid the session id in the ID token
     * @param registeredClientId the client's internal id
     * @param username the user ({@code sub})
     * @param issuer the issuer of the ID token
     */
    public void idTokenIssued(String sid, String registeredClientId, String username, String issuer) {
        guarded(ENDED_BEFORE_ISSUE, username, () -> {
            Timestamp now = Timestamp.from(clock.instant());
            // ended_at IS NULL: an ended pair is never made to look alive again (and its retention is not extended).
            if (jdbc.update(
                            "UPDATE gh_rp_session SET last_seen = ? WHERE sid = ? AND registered_client_id = ?"
                                    + " AND ended_at IS NULL",
                            now,
                            sid,
                            registeredClientId)
                    > 0) {
                return 0;
            }
            boolean alreadyEnded = endedRows(sid) > 0;
            Pair pair = new Pair(sid, registeredClientId, username, issuer);
            if (insertSession(sid, registeredClientId, username, issuer, now, alreadyEnded ? now : null)) {
                if (alreadyEnded) {
                    return enqueue(pair, ENDED_BEFORE_ISSUE);
                }
                // A logout on another node may have ended the session after the count above but before this pair
                // was visible to it (review finding 10): look again, and end the pair ourselves if so. This narrows
                // the window; it does not close it under READ COMMITTED.
                return endedRows(sid) > 0 ? endPairs(List.of(pair), ENDED_BEFORE_ISSUE) : 0;
            }
            // The pair exists: recorded by a concurrent request of the same client (alive), or ended. An ended pair
            // given a new ID token (a second code of the same session redeemed after the logout) is told again.
            return pairEnded(sid, registeredClientId) ? enqueue(pair, ENDED_BEFORE_ISSUE) : 0;
        });
    }

    /**
     * Whether the relying party's session ({@code sid}, client) has ended: its refresh tokens must then not yield ID
     * tokens for that {@code sid} (OIDC Back-Channel Logout 1.0 §2.7).
     *
     * @param sid the session id
     * @param registeredClientId the client's internal id
     * @return {@code true} when the pair, or the whole session, is recorded as ended
     */
    public boolean ended(String sid, String registeredClientId) {
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_rp_session WHERE sid = ? AND ended_at IS NOT NULL"
                        + " AND registered_client_id IN (?, ?)",
                Integer.class,
                sid,
                registeredClientId,
                TOMBSTONE);
        return n != null && n > 0;
    }

    private int endedRows(String sid) {
        Integer ended = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_rp_session WHERE sid = ? AND ended_at IS NOT NULL", Integer.class, sid);
        return ended == null ? 0 : ended;
    }

    private boolean pairEnded(String sid, String registeredClientId) {
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_rp_session WHERE sid = ? AND registered_client_id = ? AND ended_at IS NOT NULL",
                Integer.class,
                sid,
                registeredClientId);
        return n != null && n > 0;
    }

    /**
     * One browser session ended (the user signed out, or ended it on the account pages).
     *
     * @param sid its sid, or {@code null} when it had none (no relying party got an ID token for it)
     * @param username the user
     * @param reason the trigger, e.g. {@link #LOGOUT}
     * @return how many logout tokens were queued
     */
    public int sessionEnded(@Nullable String sid, String username, String reason) {
        if (sid == null) {
            return 0;
        }
        return guarded(reason, username, () -> {
            int queued = endPairs(
                    jdbc.query(
                            "SELECT sid, registered_client_id, username, issuer FROM gh_rp_session"
                                    + " WHERE sid = ? AND username = ? AND ended_at IS NULL",
                            (rs, n) -> new Pair(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                            sid,
                            username),
                    reason);
            // Remembers the end for an ID token issued later for this session (a code redeemed after it).
            Timestamp now = Timestamp.from(clock.instant());
            insertSession(sid, TOMBSTONE, username, "", now, now);
            return queued;
        });
    }

    /**
     * Every session of a user ended, but perhaps the current one (password change, reset, operator action).
     *
     * @param username the user
     * @param exceptSid the sid of a session that goes on, or {@code null}
     * @param reason the trigger, e.g. {@link #ADMIN}
     * @return how many logout tokens were queued
     */
    public int userSessionsEnded(String username, @Nullable String exceptSid, String reason) {
        return guarded(reason, username, () -> {
            List<Pair> pairs = new ArrayList<>();
            for (Pair p : jdbc.query(
                    "SELECT sid, registered_client_id, username, issuer FROM gh_rp_session"
                            + " WHERE username = ? AND ended_at IS NULL",
                    (rs, n) -> new Pair(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                    username)) {
                if (!p.sid().equals(exceptSid)) {
                    pairs.add(p);
                }
            }
            return endPairs(pairs, reason);
        });
    }

    /** Inserts a row unless one exists; in its own savepoint, so a lost race leaves the transaction usable. */
    private boolean insertSession(
            String sid,
            String registeredClientId,
            String username,
            String issuer,
            Timestamp lastSeen,
            @Nullable Timestamp endedAt) {
        try {
            nested.executeWithoutResult(status -> jdbc.update(
                    "INSERT INTO gh_rp_session (sid, registered_client_id, username, issuer, last_seen, ended_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)",
                    sid,
                    registeredClientId,
                    username,
                    issuer,
                    lastSeen,
                    endedAt));
            return true;
        } catch (DuplicateKeyException exists) {
            return false;
        }
    }

    private int endPairs(List<Pair> pairs, String reason) {
        Timestamp now = Timestamp.from(clock.instant());
        int queued = 0;
        for (Pair p : pairs) {
            // The conditional update decides, so two logouts of the same session on two nodes queue it once.
            if (jdbc.update(
                            "UPDATE gh_rp_session SET ended_at = ? WHERE sid = ? AND registered_client_id = ?"
                                    + " AND ended_at IS NULL",
                            now,
                            p.sid(),
                            p.registeredClientId())
                    == 1) {
                queued += enqueue(p, reason);
            }
        }
        return queued;
    }

    private int enqueue(Pair p, String reason) {
        if (TOMBSTONE.equals(p.registeredClientId())) {
            return 0;
        }
        RegisteredClient client = clients.findById(p.registeredClientId());
        if (client == null || BackchannelLogoutUris.uri(client) == null) {
            return 0;
        }
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update(
                "INSERT INTO gh_logout_delivery (id, registered_client_id, username, sid, issuer, reason,"
                        + " correlation_id, created_at, due_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                UUID.randomUUID().toString(),
                p.registeredClientId(),
                p.username(),
                p.sid(),
                p.issuer(),
                reason,
                correlationId(),
                now,
                now);
        return 1;
    }

    private int guarded(String reason, String username, java.util.function.IntSupplier work) {
        try {
            Integer queued = nested.execute(status -> work.getAsInt());
            return queued == null ? 0 : queued;
        } catch (RuntimeException e) {
            // Any failure, not only the database's (a damaged client that cannot be read, for one): queuing must
            // never keep the user signed in nor roll back the caller's work (a password reset).
            log.warn(
                    "could not queue back-channel logout tokens ({}): {}",
                    reason,
                    e.getClass().getSimpleName());
            Map<String, String> details = new LinkedHashMap<>();
            details.put("reason", "enqueue");
            details.put("trigger", reason);
            details.put("error", e.getClass().getSimpleName());
            audit.record(new AuditEvent(AuditEvents.LOGOUT_BACKCHANNEL, AuditEvent.FAILURE, null, username, details));
            return 0;
        }
    }

    private static @Nullable String correlationId() {
        String id = MDC.get(CorrelationIdFilter.MDC_KEY);
        return id == null || id.length() > 64 ? null : id;
    }

    /** A relying party's session. */
    record Pair(String sid, String registeredClientId, String username, String issuer) {}
}
