package dev.gatehouse.server.clients;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.oidc.OidcScopes;

/**
 * The scopes this server can grant: {@code openid} plus every scope some registered client may be granted (a scope
 * no client is registered with is refused with {@code invalid_scope}, RFC 6749 §3.3, so advertising it would be
 * untrue). Discovery's {@code scopes_supported} (RFC 8414 §2, OpenID Connect Discovery 1.0 §3) reads it, so what is
 * advertised follows the admin API's registrations without configuration. Read from {@code
 * oauth2_registered_client} at most once per {@code ttl} (the client cache's), since discovery is public and
 * frequently fetched.
 */
public final class RegisteredScopes {

    private final JdbcTemplate jdbc;
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private volatile @Nullable Snapshot snapshot;

    private record Snapshot(List<String> scopes, long readAt) {}

    /**
     * Reads the registered scopes from the database.
     *
     * @param jdbc the server's database
     * @param ttl how long a read is reused; {@code 0} reads on every call
     * @param nanoTime a monotonic clock, such as {@code System::nanoTime}
     */
    public RegisteredScopes(JdbcTemplate jdbc, Duration ttl, LongSupplier nanoTime) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.ttlNanos = Objects.requireNonNull(ttl, "ttl must not be null").toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime must not be null");
    }

    /**
     * The scopes, sorted, {@code openid} always among them.
     *
     * @return the scopes some client may be granted
     */
    public List<String> scopes() {
        long now = nanoTime.getAsLong();
        Snapshot s = snapshot;
        if (s == null || now - s.readAt() >= ttlNanos) {
            TreeSet<String> all = new TreeSet<>();
            all.add(OidcScopes.OPENID);
            // Spring Authorization Server stores a client's scopes comma-separated (scope-tokens have no commas).
            for (String column : jdbc.queryForList("SELECT scopes FROM oauth2_registered_client", String.class)) {
                if (column != null) {
                    Arrays.stream(column.split(","))
                            .map(String::strip)
                            .filter(scope -> !scope.isEmpty())
                            .forEach(all::add);
                }
            }
            s = new Snapshot(List.copyOf(all), now);
            snapshot = s;
        }
        return s.scopes();
    }
}
