package dev.gatehouse.server.clients;

import dev.gatehouse.core.jwt.RemoteJwks;
import dev.gatehouse.core.jwt.TokenVerifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * The verifiers built from a client's keys ({@link ClientKeys}), shared by {@code private_key_jwt} assertions
 * ({@link ClientAssertions}) and signed request objects ({@link RequestObjects}), so that a client's {@code jwks_uri}
 * is fetched by one {@link RemoteJwks} on this node whatever uses it:
 *
 * <ul>
 *   <li><b>Keyed</b> by client id and key source (the SHA-256 of a {@code jwks} by value, or the {@code jwks_uri}):
 *       a client whose keys changed gets a new entry at its next use; nothing else is dropped, so no other client's
 *       fetched keys are lost when some client changes anywhere in the cluster.
 *   <li><b>Single-flight</b>: one {@link RemoteJwks} per entry, whose fetch is synchronized, so concurrent requests
 *       for one client make one fetch; the others wait for it (at most its {@link #FETCH_TIMEOUT}).
 *   <li><b>Negative cache</b>: a failed fetch is not retried for {@link #RETRY_AFTER} (the {@link RemoteJwks} minimum
 *       refresh interval); meanwhile the client's tokens are refused at once, or verified with its last known keys.
 *   <li><b>Bounded</b>: at most {@link #MAX_CACHED} entries, the least recently used evicted first.
 *   <li><b>Address policy</b>: a dynamically registered client's {@code jwks_uri} is fetched only while its host
 *       resolves to public addresses ({@link PublicAddresses}), checked before each fetch; clients an administrator
 *       registered are trusted.
 * </ul>
 */
public final class ClientKeyVerifiers {

    /** The most entries kept; the least recently used goes first. */
    public static final int MAX_CACHED = 1000;

    /** Connect and read timeout of a {@code jwks_uri} fetch. */
    public static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

    /** How long a failed fetch (or an unknown {@code kid}) waits before the next fetch. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    /**
     * The client setting dynamic registration sets on the clients it creates (the {@code dynamicclients} package's
     * {@code RegistrationPolicy.DYNAMIC_SETTING}; the same text, since this package cannot depend on that one).
     */
    public static final String DYNAMICALLY_REGISTERED = "settings.client.gatehouse.dynamically-registered";

    private static final int MAX_JWKS_RESPONSE_BYTES = 64 * 1024;
    private static final int MAX_VERIFIERS_PER_CLIENT = 8;

    private final Clock clock;
    private final Predicate<URI> publicAddress;
    private final Map<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_CACHED;
        }
    };

    /**
     * Creates the cache with the public-address policy of {@link PublicAddresses}.
     *
     * @param clock the clock
     */
    public ClientKeyVerifiers(Clock clock) {
        this(clock, PublicAddresses::publicAddress);
    }

    /**
     * Creates the cache.
     *
     * @param clock the clock
     * @param publicAddress whether a dynamically registered client's {@code jwks_uri} may be fetched now
     */
    public ClientKeyVerifiers(Clock clock, Predicate<URI> publicAddress) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.publicAddress = Objects.requireNonNull(publicAddress, "publicAddress must not be null");
    }

    /**
     * The verifier of one kind of token for a client with exactly one key source ({@code jwks} or {@code jwks_uri});
     * the caller checks that first.
     *
     * @param client the client
     * @param purpose the kind of token (with the audience, the verifier's cache key within the client's entry)
     * @param audience the expected {@code aud}
     * @param rules the rules of that kind of token, applied to a builder that already has the client's keys
     * @return the verifier
     * @throws IllegalArgumentException when the client has no or both key sources
     */
    public TokenVerifier verifier(
            RegisteredClient client, String purpose, String audience, Consumer<TokenVerifier.Builder> rules) {
        Entry entry = entry(client);
        if (entry.verifiers.size() > MAX_VERIFIERS_PER_CLIENT) {
            // Only a request-derived audience (development without a configured issuer) varies.
            entry.verifiers.clear();
        }
        return entry.verifiers.computeIfAbsent(purpose + '\u0000' + audience, k -> {
            TokenVerifier.Builder b = TokenVerifier.builder();
            if (entry.remote != null) {
                b.remoteJwks(entry.remote);
            } else {
                b.jwks(Objects.requireNonNull(entry.jwks));
            }
            rules.accept(b);
            return b.build();
        });
    }

    /** How many entries are cached (for tests). */
    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private Entry entry(RegisteredClient client) {
        Optional<String> jwks = ClientKeys.jwks(client);
        Optional<String> jwksUri = ClientKeys.jwksUri(client);
        if (jwks.isPresent() == jwksUri.isPresent()) {
            throw new IllegalArgumentException("the client must have exactly one of jwks and jwks_uri");
        }
        boolean dynamic = Boolean.TRUE.equals(client.getClientSettings().getSetting(DYNAMICALLY_REGISTERED));
        String source = jwks.map(j -> "jwks:" + sha256(j))
                .orElseGet(() -> (dynamic ? "dynamic-uri:" : "uri:") + jwksUri.orElseThrow());
        String clientId = client.getClientId();
        synchronized (entries) {
            Entry entry = entries.get(clientId);
            if (entry != null && entry.source.equals(source)) {
                return entry;
            }
            Entry created;
            if (jwks.isPresent()) {
                created = new Entry(source, jwks.get(), null);
            } else {
                RemoteJwks.Builder remote = RemoteJwks.builder(URI.create(jwksUri.orElseThrow()))
                        .timeout(FETCH_TIMEOUT)
                        .minRefreshInterval(RETRY_AFTER)
                        .maxResponseBytes(MAX_JWKS_RESPONSE_BYTES)
                        .clock(clock);
                if (dynamic) {
                    remote.fetchAllowed(publicAddress);
                }
                created = new Entry(source, null, remote.build());
            }
            entries.put(clientId, created);
            return created;
        }
    }

    private static String sha256(String value) {
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(
                            MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** One client's key source, its fetched keys, and the verifiers built on them. */
    private static final class Entry {
        final String source;
        final @Nullable String jwks;
        final @Nullable RemoteJwks remote;
        final Map<String, TokenVerifier> verifiers = new ConcurrentHashMap<>();

        Entry(String source, @Nullable String jwks, @Nullable RemoteJwks remote) {
            this.source = source;
            this.jwks = jwks;
            this.remote = remote;
        }
    }
}
