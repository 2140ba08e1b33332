package dev.gatehouse.server.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit table {@code gh_audit_event} as one hash chain. Rows are numbered 1, 2, 3, ... with no gaps; each
 * carries the previous row's hash and its own, an HMAC-SHA256 under a server key over the row and that previous
 * hash. Appends lock the single chain-head row ({@code gh_audit_chain}, {@code SELECT ... FOR UPDATE}) in the same
 * transaction as the inserts, so appends from every node sharing the database form one linear chain.
 *
 * <p>{@link #verify()} recomputes the chain and names the first row that does not fit: a changed row, a row
 * replaced or moved, rows deleted in the middle or at the end. What it cannot show: rows removed from the start
 * together with a moved anchor, or a chain rewritten by someone holding the key (the key is sealed under the master
 * key, so a database writer alone cannot).
 *
 * <p>Retention ({@link #purgeBefore}) deletes old rows from the start and records the last deleted row's id and
 * hash as the anchor the remaining chain must follow.
 */
public final class AuditChain {

    /** Name of the chain's HMAC key among the server secrets ({@link dev.gatehouse.server.secrets.ServerSecrets}). */
    public static final String HMAC_KEY_NAME = AuditConfiguration.AUDIT_CHAIN_HMAC_KEY;

    private static final String COLUMNS =
            "id, occurred_at, type, outcome, actor, subject, details, correlation_id, prev_hash, hash";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final AuditHasher hasher;

    /**
     * Creates the chain over the server's database.
     *
     * @param jdbc the JDBC template
     * @param tx transactions (one per append batch)
     * @param hmacKey the chain's HMAC-SHA256 key, at least 256 bits (a server secret; never stored in clear)
     */
    public AuditChain(JdbcTemplate jdbc, TransactionTemplate tx, byte[] hmacKey) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.tx = Objects.requireNonNull(tx, "tx must not be null");
        this.hasher = new AuditHasher(Objects.requireNonNull(hmacKey, "hmacKey must not be null"));
    }

    /** The head row, read under lock when {@code forUpdate}. */
    private record Head(long lastId, String lastHash, long anchorId, String anchorHash) {}

    private Head head(boolean forUpdate) {
        return Objects.requireNonNull(jdbc.queryForObject(
                "SELECT last_id, last_hash, anchor_id, anchor_hash FROM gh_audit_chain WHERE id = 1"
                        + (forUpdate ? " FOR UPDATE" : ""),
                (rs, i) -> new Head(
                        rs.getLong("last_id"),
                        rs.getString("last_hash"),
                        rs.getLong("anchor_id"),
                        rs.getString("anchor_hash"))));
    }

    /**
     * Appends events, in order, in one transaction.
     *
     * @param events the events
     * @return the ids given to them, in order
     */
    List<Long> append(List<RecordedEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        return Objects.requireNonNull(tx.execute(status -> {
            Head head = head(true);
            Mac mac = hasher.mac();
            long id = head.lastId();
            String prev = head.lastHash();
            List<Object[]> rows = new ArrayList<>(events.size());
            List<Long> ids = new ArrayList<>(events.size());
            for (RecordedEvent e : events) {
                id++;
                String hash = AuditHasher.hash(
                        mac,
                        id,
                        e.occurredAt(),
                        e.type(),
                        e.outcome(),
                        e.actor(),
                        e.subject(),
                        e.detailsJson(),
                        e.correlationId(),
                        prev);
                rows.add(new Object[] {
                    id,
                    OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC),
                    e.type(),
                    e.outcome(),
                    e.actor(),
                    e.subject(),
                    e.detailsJson(),
                    e.correlationId(),
                    prev,
                    hash
                });
                ids.add(id);
                prev = hash;
            }
            jdbc.batchUpdate(
                    "INSERT INTO gh_audit_event (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
            jdbc.update("UPDATE gh_audit_chain SET last_id = ?, last_hash = ? WHERE id = 1", id, prev);
            return ids;
        }));
    }

    /**
     * Why a chain does not verify.
     *
     * <ul>
     *   <li>{@code ROW_ALTERED}: the row's content no longer matches its hash (a field was changed);
     *   <li>{@code LINK_BROKEN}: the row does not follow the one before it (a row before it was replaced or rows
     *       were reordered);
     *   <li>{@code ROWS_MISSING}: rows before this one were deleted;
     *   <li>{@code TAIL_MISSING}: the chain head names a later last row than the table holds (rows at the end were
     *       deleted), or its hash does not match the last row.
     * </ul>
     */
    public enum Break {
        /** A field of the row was changed. */
        ROW_ALTERED,
        /** The row's link to the previous row does not match. */
        LINK_BROKEN,
        /** Rows before this one are missing. */
        ROWS_MISSING,
        /** Rows at the end are missing, or the head does not match the last row. */
        TAIL_MISSING
    }

    /**
     * The result of {@link #verify()}.
     *
     * @param intact whether every row from the anchor to the head fits
     * @param rowsChecked how many rows were checked (up to and including the first broken one)
     * @param firstBrokenId the id of the first row that does not fit, or {@code null} when intact
     * @param reason why it does not fit, or {@code null} when intact
     */
    public record Verification(
            boolean intact,
            long rowsChecked,
            @Nullable Long firstBrokenId,
            @Nullable Break reason) {

        static Verification ok(long checked) {
            return new Verification(true, checked, null, null);
        }

        static Verification broken(long checked, long id, Break reason) {
            return new Verification(false, checked, id, reason);
        }
    }

    /**
     * Walks the chain from the anchor to the head, recomputing every hash, and reports the first row that does not
     * fit. Rows appended while it runs are not looked at (the head is read first).
     *
     * @return intact, or the first broken row and why
     */
    public Verification verify() {
        return Objects.requireNonNull(tx.execute(status -> {
            Head head = head(false);
            Mac mac = hasher.mac();
            return jdbc.query(
                    con -> {
                        PreparedStatement ps = con.prepareStatement(
                                "SELECT " + COLUMNS + " FROM gh_audit_event WHERE id > ? AND id <= ? ORDER BY id");
                        ps.setLong(1, head.anchorId());
                        ps.setLong(2, head.lastId());
                        ps.setFetchSize(500);
                        return ps;
                    },
                    (ResultSet rs) -> walk(rs, head, mac));
        }));
    }

    private static Verification walk(ResultSet rs, Head head, Mac mac) throws SQLException {
        long expectedId = head.anchorId() + 1;
        String expectedPrev = head.anchorHash();
        long checked = 0;
        while (rs.next()) {
            checked++;
            long id = rs.getLong("id");
            if (id != expectedId) {
                return Verification.broken(checked, id, Break.ROWS_MISSING);
            }
            String prev = rs.getString("prev_hash");
            String stored = rs.getString("hash");
            String computed = AuditHasher.hash(
                    mac,
                    id,
                    rs.getObject("occurred_at", OffsetDateTime.class).toInstant(),
                    rs.getString("type"),
                    rs.getString("outcome"),
                    rs.getString("actor"),
                    rs.getString("subject"),
                    rs.getString("details"),
                    rs.getString("correlation_id"),
                    prev);
            if (!equal(computed, stored)) {
                return Verification.broken(checked, id, Break.ROW_ALTERED);
            }
            if (!equal(prev, expectedPrev)) {
                return Verification.broken(checked, id, Break.LINK_BROKEN);
            }
            expectedPrev = stored;
            expectedId++;
        }
        if (expectedId - 1 != head.lastId() || !equal(expectedPrev, head.lastHash())) {
            return Verification.broken(checked, expectedId, Break.TAIL_MISSING);
        }
        return Verification.ok(checked);
    }

    private static boolean equal(@Nullable String a, @Nullable String b) {
        return a != null
                && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The outcome of a retention purge.
     *
     * @param deleted rows deleted
     * @param anchorId the id of the last deleted row (the new anchor), or the old anchor when nothing was deleted
     * @param anchorHash that row's hash
     */
    public record Purge(int deleted, long anchorId, String anchorHash) {}

    /**
     * Deletes rows from the start of the chain up to the last one that happened before {@code cutoff}, and makes
     * that row the anchor. Serialised with appends by the head lock. Rows are deleted by position, so a row
     * recorded slightly after the cutoff but appended before an older one (clocks of different nodes, queueing)
     * may go with it.
     *
     * @param cutoff rows that happened before this instant are deleted
     * @return how many rows went and the new anchor
     */
    public Purge purgeBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff must not be null");
        return Objects.requireNonNull(tx.execute(status -> {
            Head head = head(true);
            Long last = jdbc.queryForObject(
                    "SELECT MAX(id) FROM gh_audit_event WHERE occurred_at < ?",
                    Long.class,
                    OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
            if (last == null || last <= head.anchorId()) {
                return new Purge(0, head.anchorId(), head.anchorHash());
            }
            String anchorHash = jdbc.queryForObject("SELECT hash FROM gh_audit_event WHERE id = ?", String.class, last);
            int deleted = jdbc.update("DELETE FROM gh_audit_event WHERE id <= ?", last);
            jdbc.update("UPDATE gh_audit_chain SET anchor_id = ?, anchor_hash = ? WHERE id = 1", last, anchorHash);
            return new Purge(deleted, last, Objects.requireNonNull(anchorHash));
        }));
    }
}
