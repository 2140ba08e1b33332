package dev.gatehouse.server.tokens;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2DeviceCode;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2UserCode;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceCodeAuthenticationToken;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The polling rules of the device access token request (RFC 8628 §3.5) in front of Spring Authorization Server's
 * {@code OAuth2DeviceCodeAuthenticationProvider}, which it wraps on the token endpoint:
 *
 * <ul>
 *   <li>{@code slow_down}: while the request is pending, a poll that comes sooner than the device code's interval
 *       after the previous one is answered {@code slow_down} (400) instead of {@code authorization_pending}, and the
 *       interval grows by 5 seconds "for this and all subsequent requests". The interval starts at {@link #INTERVAL}
 *       (sent as {@code interval} in the device authorization response, §3.2). The time of the last poll and the
 *       current interval are attributes of the stored authorization, read and written through the {@link
 *       OAuth2AuthorizationService} under a row lock, so every node sharing the database applies the same limit and
 *       a poll never overwrites an approval or a denial saved at the same moment. Times come from the injected
 *       {@link Clock}. The first poll is not limited, and neither is a poll once the user has decided.
 *   <li>a device code that was already redeemed is {@code invalid_grant} (RFC 6749 §5.2: the grant is invalid; §3.5
 *       of RFC 8628 keeps {@code access_denied} for "the authorization request was denied"). Spring Authorization
 *       Server answered both with {@code access_denied}; a code the user denied still is.
 * </ul>
 *
 * Everything else (client binding, expiry as {@code expired_token}, issuing) is Spring Authorization Server's.
 */
public final class DevicePolling implements AuthenticationProvider {

    /** The minimum time between polls a device is told in the device authorization response (RFC 8628 §3.2). */
    public static final Duration INTERVAL = Duration.ofSeconds(5);

    /** When the device last polled, in epoch milliseconds (a string, as stored attributes are JSON). */
    static final String LAST_POLL = "dev.gatehouse.device.last_poll";

    /** The device code's current polling interval in seconds (a string). */
    static final String POLL_INTERVAL = "dev.gatehouse.device.interval";

    static final String SLOW_DOWN = "slow_down";
    static final String AUTHORIZATION_PENDING = "authorization_pending";

    private static final String RFC8628 = "https://datatracker.ietf.org/doc/html/rfc8628#section-3.5";
    private static final String RFC6749 = "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2";
    private static final OAuth2TokenType DEVICE_CODE = new OAuth2TokenType(OAuth2ParameterNames.DEVICE_CODE);
    private static final String LOCK = "SELECT id FROM oauth2_authorization WHERE id = ? FOR UPDATE";

    private final OAuth2AuthorizationService authorizations;
    private final AuthenticationProvider delegate;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    /**
     * Polling rules in front of Spring Authorization Server's device code provider.
     *
     * @param authorizations where the device authorizations are stored
     * @param delegate Spring Authorization Server's {@code OAuth2DeviceCodeAuthenticationProvider}
     * @param jdbc for the row lock on the authorization while its last poll is updated
     * @param tx the transaction that holds the lock
     * @param clock the clock
     */
    public DevicePolling(
            OAuth2AuthorizationService authorizations,
            AuthenticationProvider delegate,
            JdbcTemplate jdbc,
            TransactionTemplate tx,
            Clock clock) {
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.tx = Objects.requireNonNull(tx, "tx must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) {
        if (!(authentication instanceof OAuth2DeviceCodeAuthenticationToken device)) {
            return delegate.authenticate(authentication);
        }
        try {
            return delegate.authenticate(authentication);
        } catch (OAuth2AuthenticationException e) {
            String code = e.getError().getErrorCode();
            if (AUTHORIZATION_PENDING.equals(code) && Boolean.TRUE.equals(tx.execute(s -> tooFast(device)))) {
                throw new OAuth2AuthenticationException(
                        new OAuth2Error(SLOW_DOWN, "Polling too fast: wait longer between requests (+5 s).", RFC8628));
            }
            if (OAuth2ErrorCodes.ACCESS_DENIED.equals(code) && redeemed(device)) {
                throw new OAuth2AuthenticationException(new OAuth2Error(
                        OAuth2ErrorCodes.INVALID_GRANT, "The device code has already been used.", RFC6749));
            }
            throw e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }

    /** Records this poll; true when it came sooner than the interval after the previous one. */
    private boolean tooFast(OAuth2DeviceCodeAuthenticationToken device) {
        @Nullable OAuth2Authorization found = authorizations.findByToken(device.getDeviceCode(), DEVICE_CODE);
        if (found == null) {
            return false;
        }
        // Locked, then read again: a consent saved meanwhile is seen here rather than overwritten below, and one
        // saved after this waits for the lock and then wins (losing only the poll time).
        jdbc.queryForList(LOCK, found.getId());
        @Nullable OAuth2Authorization current = authorizations.findById(found.getId());
        if (current == null || !pending(current)) {
            return false;
        }
        Instant now = clock.instant();
        Duration interval = interval(current);
        @Nullable Instant last = lastPoll(current);
        boolean tooFast = last != null && Duration.between(last, now).compareTo(interval) < 0;
        Duration next = tooFast ? interval.plus(INTERVAL) : interval;
        authorizations.save(OAuth2Authorization.from(current)
                .attribute(LAST_POLL, Long.toString(now.toEpochMilli()))
                .attribute(POLL_INTERVAL, Long.toString(next.toSeconds()))
                .build());
        return tooFast;
    }

    private static boolean pending(OAuth2Authorization authorization) {
        OAuth2Authorization.@Nullable Token<OAuth2UserCode> userCode = authorization.getToken(OAuth2UserCode.class);
        OAuth2Authorization.@Nullable Token<OAuth2DeviceCode> deviceCode =
                authorization.getToken(OAuth2DeviceCode.class);
        return userCode != null && !userCode.isInvalidated() && deviceCode != null && !deviceCode.isInvalidated();
    }

    private static Duration interval(OAuth2Authorization authorization) {
        if (authorization.getAttribute(POLL_INTERVAL) instanceof String seconds) {
            try {
                return Duration.ofSeconds(Math.max(Long.parseLong(seconds), INTERVAL.toSeconds()));
            } catch (NumberFormatException e) {
                return INTERVAL;
            }
        }
        return INTERVAL;
    }

    private static @Nullable Instant lastPoll(OAuth2Authorization authorization) {
        if (authorization.getAttribute(LAST_POLL) instanceof String millis) {
            try {
                return Instant.ofEpochMilli(Long.parseLong(millis));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Spring Authorization Server invalidates the device code both when redeeming it and when the user denies. */
    private boolean redeemed(OAuth2DeviceCodeAuthenticationToken device) {
        @Nullable OAuth2Authorization found = authorizations.findByToken(device.getDeviceCode(), DEVICE_CODE);
        return found != null && found.getAccessToken() != null;
    }
}
