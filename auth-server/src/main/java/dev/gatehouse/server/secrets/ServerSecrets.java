package dev.gatehouse.server.secrets;

import dev.gatehouse.core.crypto.Envelope;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Server-wide random secrets (such as the client-secret HMAC key), generated once, stored sealed by the {@link
 * Envelope} in {@code gh_server_secret} and shared by all nodes. The first node to insert wins; others read its.
 */
public final class ServerSecrets {

    private static final String CONTEXT_PREFIX = "gatehouse-secret:";

    private final JdbcTemplate jdbc;
    private final Envelope envelope;
    private final SecureRandom random;

    /**
     * Creates the store.
     *
     * @param jdbc the JDBC template
     * @param envelope seals the secrets
     * @param random randomness for new secrets
     */
    public ServerSecrets(JdbcTemplate jdbc, Envelope envelope, SecureRandom random) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.envelope = Objects.requireNonNull(envelope, "envelope must not be null");
        this.random = Objects.requireNonNull(random, "random must not be null");
    }

    /**
     * The secret named {@code name}, created with {@code bytes} random bytes if absent.
     *
     * @param name the secret's name
     * @param bytes its length when generated
     * @return the secret bytes
     */
    public byte[] getOrCreate(String name, int bytes) {
        List<String> sealed = read(name);
        if (sealed.isEmpty()) {
            byte[] fresh = new byte[bytes];
            random.nextBytes(fresh);
            try {
                jdbc.update(
                        "INSERT INTO gh_server_secret (name, sealed_value) VALUES (?, ?)",
                        name,
                        envelope.seal(fresh, CONTEXT_PREFIX + name));
                return fresh;
            } catch (DuplicateKeyException e) {
                sealed = read(name);
            }
        }
        return envelope.open(sealed.get(0), CONTEXT_PREFIX + name);
    }

    /**
     * The secret named {@code name}, if it exists; never creates one (for tools that only read, such as the audit
     * chain check after a restore).
     *
     * @param name the secret's name
     * @return the secret bytes, or empty
     */
    public java.util.Optional<byte[]> find(String name) {
        List<String> sealed = read(name);
        return sealed.isEmpty()
                ? java.util.Optional.empty()
                : java.util.Optional.of(envelope.open(sealed.get(0), CONTEXT_PREFIX + name));
    }

    private List<String> read(String name) {
        return jdbc.queryForList("SELECT sealed_value FROM gh_server_secret WHERE name = ?", String.class, name);
    }
}
