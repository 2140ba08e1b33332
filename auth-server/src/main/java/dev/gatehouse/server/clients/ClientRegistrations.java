package dev.gatehouse.server.clients;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The queries on Spring Authorization Server's {@code oauth2_registered_client} table that its {@link
 * org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository} has no method for:
 * listing, counting, removing. The clients package owns the table; the admin API goes through this class. The server's
 * instance ({@link ClientsConfiguration}) tells the client cache about removals.
 */
public final class ClientRegistrations {

    private final JdbcTemplate jdbc;
    private final Runnable afterRemove;

    /**
     * Creates the queries, with no client cache to tell about removals.
     *
     * @param jdbc the JDBC template
     */
    public ClientRegistrations(JdbcTemplate jdbc) {
        this(jdbc, () -> {});
    }

    /**
     * Creates the queries.
     *
     * @param jdbc the JDBC template
     * @param afterRemove runs after each removal, in its transaction ({@link ClientCache#removed()})
     */
    ClientRegistrations(JdbcTemplate jdbc, Runnable afterRemove) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.afterRemove = Objects.requireNonNull(afterRemove, "afterRemove must not be null");
    }

    /**
     * How many clients are registered.
     *
     * @return the count
     */
    public long count() {
        Long total = jdbc.queryForObject("SELECT COUNT(*) FROM oauth2_registered_client", Long.class);
        return total == null ? 0 : total;
    }

    /**
     * One page of {@code client_id}s, sorted.
     *
     * @param limit at most this many
     * @param offset skipping this many
     * @return the client ids
     */
    public List<String> clientIds(int limit, long offset) {
        return jdbc.queryForList(
                "SELECT client_id FROM oauth2_registered_client ORDER BY client_id LIMIT ? OFFSET ?",
                String.class,
                limit,
                offset);
    }

    /**
     * Removes a registration; this node's client cache forgets it at once, the others within the client cache's
     * staleness bound ({@link ClientCache}). Callers first remove its authorizations and consents.
     *
     * @param registeredClientId the registration id (not the {@code client_id})
     */
    public void remove(String registeredClientId) {
        jdbc.update("DELETE FROM oauth2_registered_client WHERE id = ?", registeredClientId);
        afterRemove.run();
    }

    /**
     * Whether any client may use {@code grantType} and holds {@code scope}.
     *
     * @param scope a scope
     * @param grantType a grant type, e.g. {@code client_credentials}
     * @return {@code true} if one does
     */
    public boolean anyWith(String scope, String grantType) {
        List<String[]> rows =
                jdbc.query("SELECT scopes, authorization_grant_types FROM oauth2_registered_client", (rs, i) ->
                        new String[] {rs.getString(1), rs.getString(2)});
        for (String[] row : rows) {
            if (contains(row[0], scope) && contains(row[1], grantType)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(@Nullable String commaSeparated, String value) {
        return commaSeparated != null
                && Arrays.stream(commaSeparated.split(",")).map(String::strip).anyMatch(value::equals);
    }
}
