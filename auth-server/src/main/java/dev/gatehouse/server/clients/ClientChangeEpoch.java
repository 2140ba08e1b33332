package dev.gatehouse.server.clients;

import java.util.Objects;
import org.springframework.jdbc.core.JdbcOperations;

/**
 * The change counter of {@code oauth2_registered_client}, one row in {@code gh_client_epoch} (migration V16). On
 * PostgreSQL a statement trigger bumps it in the transaction of every write to the client table, whoever writes; on
 * H2, which is embedded and serves one node, {@link #changed()} bumps it after this package's own writes.
 */
final class ClientChangeEpoch {

    private final JdbcOperations jdbc;
    private final boolean bumpedByTrigger;

    /**
     * Reads and bumps the counter.
     *
     * @param jdbc the server's database
     * @param bumpedByTrigger whether the database bumps the counter itself (PostgreSQL); if not, {@link #changed()}
     *     does
     */
    ClientChangeEpoch(JdbcOperations jdbc, boolean bumpedByTrigger) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.bumpedByTrigger = bumpedByTrigger;
    }

    /**
     * The committed value of the counter.
     *
     * @return the counter
     * @throws IllegalStateException if the row is missing (a damaged schema: callers then stop trusting caches)
     */
    long current() {
        Long version = jdbc.queryForObject("SELECT version FROM gh_client_epoch WHERE id = 1", Long.class);
        if (version == null) {
            throw new IllegalStateException("gh_client_epoch has no row 1; restore it from migration V16");
        }
        return version;
    }

    /**
     * Records that this package wrote {@code oauth2_registered_client}, in the caller's transaction if there is one,
     * so other readers of the counter see the change when it commits. Nothing to do where the trigger does it.
     */
    void changed() {
        if (!bumpedByTrigger) {
            jdbc.update("UPDATE gh_client_epoch SET version = version + 1 WHERE id = 1");
        }
    }
}
