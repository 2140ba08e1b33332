package dev.gatehouse.server.clients;

import dev.gatehouse.core.crypto.CryptoException;
import dev.gatehouse.core.crypto.Envelope;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * The secrets of {@code client_secret_jwt} clients (RFC 7523 §2.2, OpenID Connect Core 1.0 §9), the only clients whose
 * secret the server must be able to read: the assertion is an HMAC keyed with the secret's UTF-8 octets, so a hash
 * cannot verify it. Such a client's secret is stored twice: as every client's, the {@code {hmac-sha256}} hash in
 * {@code client_secret} ({@link ClientSecrets}), and sealed by the master key's {@link Envelope} (AES-256-GCM, the
 * client id bound as associated data, so a sealed value copied to another client does not open) in the client setting
 * {@value #SETTING}. Never in plain at rest; the sealed value is in no admin or registration response, log or error.
 * Other clients keep the hash only: this class removes the setting from any client not registered for {@code
 * client_secret_jwt} ({@link #apply}).
 *
 * <p>Secrets of these clients are {@value #SECRET_BYTES} random bytes (Base64url, 86 characters), so that the key is
 * at least as long as HS512 needs (RFC 7518 §3.2: a key of the hash's size or larger; the shorter secrets of other
 * clients would allow HS256 only). A sealed secret opens only while its hash still matches {@code client_secret}: a
 * secret replaced by any path that did not re-seal fails closed instead of leaving the old one usable.
 */
public final class SealedClientSecrets {

    /** The client setting holding the sealed secret (owned by this class; the {@code sealed-secret*} keys). */
    public static final String SETTING = "settings.client.gatehouse.sealed-secret";

    /** Random bytes in a {@code client_secret_jwt} client's secret: 512 bits, enough for HS512. */
    public static final int SECRET_BYTES = 64;

    private static final String CONTEXT_PREFIX = "client-secret-jwt:";

    private static final Logger LOG = LoggerFactory.getLogger(SealedClientSecrets.class);

    /** At most one WARN per client in this interval. */
    static final Duration WARN_INTERVAL = Duration.ofMinutes(5);

    private static final int MAX_WARNED = 10_000;

    private final AtomicLong unusable = new AtomicLong();
    private final ConcurrentMap<String, Long> warned = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime = System::nanoTime;
    private final Envelope envelope;
    private final ClientSecrets secrets;
    private final SecureRandom random;

    /**
     * Creates the store.
     *
     * @param envelope the master key's envelope
     * @param secrets the hash of every client's secret, checked before a sealed one is used
     * @param random randomness for new secrets
     */
    public SealedClientSecrets(Envelope envelope, ClientSecrets secrets, SecureRandom random) {
        this.envelope = Objects.requireNonNull(envelope, "envelope must not be null");
        this.secrets = Objects.requireNonNull(secrets, "secrets must not be null");
        this.random = Objects.requireNonNull(random, "random must not be null");
    }

    /**
     * Whether a client is registered for {@code client_secret_jwt}.
     *
     * @param client the client
     * @return {@code true} if so
     */
    public static boolean registered(RegisteredClient client) {
        return client.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.CLIENT_SECRET_JWT);
    }

    /**
     * A new secret for a {@code client_secret_jwt} client: {@value #SECRET_BYTES} random bytes, Base64url.
     *
     * @return the secret, to hand to the client operator once
     */
    public String generate() {
        byte[] raw = new byte[SECRET_BYTES];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /**
     * The client as it must be stored: with {@code plainSecret} sealed when it is registered for {@code
     * client_secret_jwt} and a new secret is given, its sealed secret kept when none is, and without any sealed secret
     * when it is not registered for that method. Call it on every client saved after a change of secret or method.
     *
     * @param client the client to save (its {@code client_secret} already the hash of {@code plainSecret}, if given)
     * @param plainSecret the client's new secret in plain, or {@code null} if the secret did not change
     * @return the client to save
     */
    public RegisteredClient apply(RegisteredClient client, @Nullable String plainSecret) {
        Map<String, Object> settings = new HashMap<>(client.getClientSettings().getSettings());
        if (!registered(client)) {
            if (settings.remove(SETTING) == null) {
                return client;
            }
        } else if (plainSecret != null) {
            settings.put(SETTING, envelope.sealString(plainSecret, context(client)));
        } else {
            return client;
        }
        return RegisteredClient.from(client)
                .clientSettings(ClientSettings.withSettings(settings).build())
                .build();
    }

    /**
     * The client's secret, as the UTF-8 octets an HMAC is keyed with (RFC 7523 §2.2, OpenID Connect Core 1.0 §9), when
     * it is registered for {@code client_secret_jwt}, has a sealed secret that opens under its client id, and that
     * secret still matches its {@code client_secret} hash; otherwise empty (fail closed). The caller clears the bytes.
     *
     * @param client the client
     * @return the key, or empty
     */
    public Optional<byte[]> open(RegisteredClient client) {
        if (!registered(client)
                || !(client.getClientSettings().getSetting(SETTING) instanceof String sealed)
                || client.getClientSecret() == null) {
            return Optional.empty();
        }
        byte[] plain;
        try {
            plain = envelope.open(sealed, context(client));
        } catch (CryptoException e) {
            unusable(client, e.reason().code());
            return Optional.empty();
        }
        if (!secrets.matchesUtf8(plain, client.getClientSecret())) {
            Arrays.fill(plain, (byte) 0);
            unusable(client, "hash mismatch");
            return Optional.empty();
        }
        return Optional.of(plain);
    }

    /**
     * The client's secret in plain, under the rules of {@link #open}: only for the response that hands a new secret
     * out once (dynamic registration).
     *
     * @param client the client
     * @return the secret, or empty
     */
    public Optional<String> openString(RegisteredClient client) {
        Optional<byte[]> plain = open(client);
        if (plain.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = plain.get();
        try {
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * How many times a sealed copy could not be used (metric {@code gatehouse.client.sealed_secret.unusable}): the
     * server, not the client, is at fault, and every assertion of that client is refused until its secret is rotated
     * (which re-seals).
     *
     * @return the count since start
     */
    public long unusableCount() {
        return unusable.get();
    }

    /**
     * Fail closed, but say so: a restored backup, a row edited by hand or a master key changed without a re-seal
     * looks like a wrong MAC to the client. A WARN at most every {@link #WARN_INTERVAL} per client, with the client
     * id and the reason, never the value.
     */
    private void unusable(RegisteredClient client, String reason) {
        unusable.incrementAndGet();
        long now = nanoTime.getAsLong();
        if (warned.size() > MAX_WARNED) {
            warned.clear();
        }
        Long last = warned.get(client.getClientId());
        if (last == null || now - last >= WARN_INTERVAL.toNanos()) {
            warned.put(client.getClientId(), now);
            LOG.warn(
                    "The sealed client_secret_jwt secret of client '{}' cannot be used ({}); its assertions are"
                            + " refused until its secret is rotated (POST /admin/clients/<id>/secret re-seals it)",
                    client.getClientId(),
                    reason);
        }
    }

    private static String context(RegisteredClient client) {
        return CONTEXT_PREFIX + client.getClientId();
    }
}
