package dev.gatehouse.server.users;

import dev.gatehouse.core.password.PasswordException;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.Verification;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.core.throttle.ThrottleDecision;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Form-login authentication against the {@link JdbcUserStore} with auth-core's {@link PasswordHasher}: unknown and
 * disabled users take the same time as wrong passwords ({@link PasswordHasher#verifyUnknownUser}), all failures read
 * the same, and a matching password hashed under an older policy is re-hashed on the spot. Attempts are limited by
 * auth-core's {@link AttemptLimiter} per account, address and pair; a throttled attempt is refused without
 * checking the password, so guesses during a delay teach nothing.
 */
public final class PasswordAuthenticationProvider implements AuthenticationProvider {

    private static final Logger log = LoggerFactory.getLogger(PasswordAuthenticationProvider.class);
    private static final int MAX_USERNAME_LENGTH = 200;

    private final JdbcUserStore users;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final AttemptLimiter limiter;

    /**
     * Creates the provider.
     *
     * @param users the user store
     * @param hasher the password hasher
     * @param clock stamps the password factor (the ID token's {@code auth_time})
     * @param limiter limits attempts (scope {@code password})
     */
    public PasswordAuthenticationProvider(
            JdbcUserStore users, PasswordHasher hasher, Clock clock, AttemptLimiter limiter) {
        this.limiter = Objects.requireNonNull(limiter, "limiter must not be null");
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.hasher = Objects.requireNonNull(hasher, "hasher must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String username = authentication.getName();
        Object credentials = authentication.getCredentials();
        String password = credentials == null ? "" : credentials.toString();
        String account = username == null ? "" : username.toLowerCase(Locale.ROOT);
        String address =
                authentication.getDetails() instanceof WebAuthenticationDetails web && web.getRemoteAddress() != null
                        ? web.getRemoteAddress()
                        : "unknown";
        if (account.length() > MAX_USERNAME_LENGTH) {
            throw bad();
        }
        // Attempts for one account run one at a time on this node: check, verify and record as one step, so a
        // burst of parallel guesses cannot all pass the check before the first failure is counted (found in
        // review: 40 parallel wrong passwords were all verified). A waiter gives up after a few seconds.
        java.util.concurrent.locks.ReentrantLock lock =
                ACCOUNT_LOCKS[Math.floorMod(account.hashCode(), ACCOUNT_LOCKS.length)];
        boolean locked;
        try {
            locked = lock.tryLock(LOCK_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Throttled();
        }
        if (!locked) {
            throw new Throttled();
        }
        try {
            return authenticateSerially(authentication, username, password, account, address);
        } finally {
            lock.unlock();
        }
    }

    private static final int LOCK_WAIT_SECONDS = 5;
    private static final java.util.concurrent.locks.ReentrantLock[] ACCOUNT_LOCKS = locks(256);

    private static java.util.concurrent.locks.ReentrantLock[] locks(int n) {
        java.util.concurrent.locks.ReentrantLock[] locks = new java.util.concurrent.locks.ReentrantLock[n];
        for (int i = 0; i < n; i++) {
            locks[i] = new java.util.concurrent.locks.ReentrantLock(true);
        }
        return locks;
    }

    private Authentication authenticateSerially(
            Authentication authentication, @Nullable String username, String password, String account, String address) {
        ThrottleDecision decision = limiter.check(account, address);
        if (!decision.allowed()) {
            throw new Throttled();
        }
        Optional<JdbcUserStore.StoredUser> found =
                username == null || username.isEmpty() || username.length() > MAX_USERNAME_LENGTH
                        ? Optional.empty()
                        : users.find(username);
        @Nullable Verification result;
        try {
            if (found.isEmpty() || !found.get().enabled()) {
                hasher.verifyUnknownUser(password);
                result = null;
            } else {
                result = hasher.verify(password, found.get().passwordHash());
            }
        } catch (PasswordException e) {
            // Too long, empty, or a stored hash we cannot read: a refusal like any other, no detail to the client.
            log.debug("password verification refused: {}", e.reason());
            result = null;
        }
        if (result == null || !result.matched()) {
            limiter.recordFailure(account, address);
            throw bad();
        }
        limiter.recordSuccess(account, address);
        JdbcUserStore.StoredUser user = found.get();
        result.upgradedHash().ifPresent(upgraded -> {
            if (users.upgradeHash(user.username(), user.passwordHash(), upgraded)) {
                log.info("upgraded the password hash of a user to the current policy");
            }
        });
        List<GrantedAuthority> authorities = new ArrayList<>();
        // Spring Security 7 records which factors authenticated the user, and when (OIDC auth_time comes from it).
        authorities.add(FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY)
                .issuedAt(clock.instant())
                .build());
        for (String role : users.roles(user.username())) {
            authorities.add(new SimpleGrantedAuthority("ROLE_" + role));
        }
        return UsernamePasswordAuthenticationToken.authenticated(user.username(), null, authorities);
    }

    /** Too many recent failures; the message is shown to nobody (the login page says only "error"). */
    static final class Throttled extends AuthenticationException {
        private static final long serialVersionUID = 1L;

        Throttled() {
            super("Too many attempts; try again later");
        }
    }

    private static BadCredentialsException bad() {
        return new BadCredentialsException("Bad credentials");
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
