package dev.gatehouse.server.ratelimit;

import dev.gatehouse.server.ratelimit.RateLimitDecision.KeyKind;
import io.github.bucket4j.ConsumptionProbe;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a request against the per-address bucket of its endpoint group, then (only if that allowed it) against the
 * per-client bucket. Buckets are keyed by a 64-bit hash of the kind, group, limit and value: fixed-size keys whatever
 * a request claims, no client address stored in clear, and a changed limit starts fresh buckets instead of fighting
 * the stored configuration.
 */
final class RateLimiter {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

    private final BucketStore store;
    private final Map<EndpointGroup, Limit> perAddress = new EnumMap<>(EndpointGroup.class);
    private final Map<EndpointGroup, Limit> perClient = new EnumMap<>(EndpointGroup.class);

    RateLimiter(BucketStore store, RateLimitProperties properties) {
        this.store = Objects.requireNonNull(store, "store must not be null");
        Objects.requireNonNull(properties, "properties must not be null");
        perAddress.put(EndpointGroup.TOKEN, properties.tokenPerAddress());
        perClient.put(EndpointGroup.TOKEN, properties.tokenPerClient());
        perAddress.put(EndpointGroup.AUTHORIZATION, properties.authorizationPerAddress());
        perClient.put(EndpointGroup.AUTHORIZATION, properties.authorizationPerClient());
        perAddress.put(EndpointGroup.DEVICE_AUTHORIZATION, properties.deviceAuthorizationPerAddress());
        perClient.put(EndpointGroup.DEVICE_AUTHORIZATION, properties.deviceAuthorizationPerClient());
        perAddress.put(EndpointGroup.LOGIN, properties.loginPerAddress());
        perClient.put(EndpointGroup.LOGIN, Limit.OFF);
        perAddress.put(EndpointGroup.MFA, properties.mfaPerAddress());
        perClient.put(EndpointGroup.MFA, Limit.OFF);
        perAddress.put(EndpointGroup.DEVICE_VERIFICATION, properties.deviceVerificationPerAddress());
        perClient.put(EndpointGroup.DEVICE_VERIFICATION, Limit.OFF);
        perAddress.put(EndpointGroup.INTROSPECTION, properties.introspectionPerAddress());
        perClient.put(EndpointGroup.INTROSPECTION, properties.introspectionPerClient());
        perAddress.put(EndpointGroup.ADMIN, properties.adminPerAddress());
        perClient.put(EndpointGroup.ADMIN, Limit.OFF);
        perAddress.put(EndpointGroup.ACCOUNT, properties.accountPerAddress());
        perClient.put(EndpointGroup.ACCOUNT, Limit.OFF);
        perAddress.put(EndpointGroup.REGISTRATION, properties.registrationPerAddress());
        perClient.put(EndpointGroup.REGISTRATION, Limit.OFF);
    }

    /**
     * Takes a token from the request's address bucket and, if that succeeded, from its client bucket.
     *
     * @param group the endpoint group
     * @param address the address key ({@link RateLimitKeys#address(String)})
     * @param clientId the claimed client id, asked for only when the address is within its limit
     * @return the decision
     */
    RateLimitDecision check(EndpointGroup group, String address, Supplier<@Nullable String> clientId) {
        // The constructor puts every group in both maps.
        RateLimitDecision byAddress =
                take(KeyKind.ADDRESS, group, Objects.requireNonNull(perAddress.get(group)), address);
        if (!(byAddress instanceof RateLimitDecision.Allowed)) {
            return byAddress;
        }
        Limit clientLimit = Objects.requireNonNull(perClient.get(group));
        if (clientLimit.isOff() || !group.perClient()) {
            return byAddress;
        }
        String id = clientId.get();
        return id == null ? byAddress : take(KeyKind.CLIENT, group, clientLimit, id);
    }

    private RateLimitDecision take(KeyKind kind, EndpointGroup group, Limit limit, String value) {
        if (limit.isOff()) {
            return RateLimitDecision.Allowed.INSTANCE;
        }
        long key = key(kind, group, limit, value);
        ConsumptionProbe probe;
        try {
            probe = store.tryConsume(key, limit);
        } catch (RuntimeException e) {
            // Class and message only: they carry SQL state, never a request value (keys are hashes).
            LOG.warn("rate-limit bucket store failed, refusing the request: {}", e.toString());
            return RateLimitDecision.Unavailable.INSTANCE;
        }
        if (probe.isConsumed()) {
            return RateLimitDecision.Allowed.INSTANCE;
        }
        return new RateLimitDecision.Limited(kind, key, limit, Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** The first 64 bits of SHA-256 over the bucket's identity; collisions need ~2^32 keys to become likely. */
    static long key(KeyKind kind, EndpointGroup group, Limit limit, String value) {
        String identity = "gatehouse-rate-limit-v1\n" + kind.id() + "\n" + group.id() + "\n" + limit + "\n" + value;
        return ByteBuffer.wrap(sha256().digest(identity.getBytes(StandardCharsets.UTF_8)))
                .getLong();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
