package dev.gatehouse.server.users;

import dev.gatehouse.core.password.PasswordException;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.Verification;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.core.throttle.ThrottleDecision;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
        // The sign-in's time is taken before the stored hash is read: a sign-in that raced an operator's password
        // reset (SignInSessions.endAll) is then older than the reset and ends with it.
        Instant started = clock.instant();
        String username = authentication.getName();
        Object credentials = authentication.getCredentials();
        String password = credentials == null ? "" : credentials.toString();
        // The attempt counters' key for an input that finds nobody: its sign-in form, the same normal form the user
        // store looks names and addresses up by (trimmed of Unicode spaces, NFKC, lower case), normalised once here.
        String account = username == null ? "" : Usernames.forSignIn(username);
        String address =
                authentication.getDetails() instanceof WebAuthenticationDetails web && web.getRemoteAddress() != null
                        ? web.getRemoteAddress()
                        : "unknown";
        // A blank name is nobody's: refused here as any failure, since the limiter refuses blank keys with an
        // unchecked exception that would have answered the form post with a server error.
        if (account.isBlank() || account.length() > MAX_USERNAME_LENGTH) {
            throw bad();
        }
        Optional<JdbcUserStore.StoredUser> found = username == null || username.length() > MAX_USERNAME_LENGTH
                ? Optional.empty()
                : users.findForSignIn(account);
        // Every account found is counted under its stored name, however it was typed (name or e-mail address, any
        // case, spacing or compatibility form), so no spelling gives a second allowance of guesses.
        String counted = found.map(u -> Usernames.canonical(u.username()))
                .filter(name -> !name.isBlank() && name.length() <= MAX_USERNAME_LENGTH)
                .orElse(account);
        // Check, verify and record as one step per account (auth-core's limiter): a burst of parallel guesses
        // cannot all pass the check before the first failure is counted (found in review).
        AttemptLimiter.Attempt<Optional<Verification>> attempt = limiter.attempt(
                counted,
                address,
                () -> verify(found, password),
                v -> v.isPresent() && v.get().matched());
        if (!(attempt instanceof AttemptLimiter.Attempt.Completed<Optional<Verification>> completed)) {
            // Which limit applies (a lockout or a delay), for the audit trail; read only on this refusal path.
            throw new Throttled(limiter.check(counted, address));
        }
        if (completed.result().isEmpty() || !completed.result().get().matched()) {
            throw bad();
        }
        Verification result = completed.result().get();
        JdbcUserStore.StoredUser user = found.get();
        result.upgradedHash().ifPresent(upgraded -> {
            if (users.upgradeHash(user.username(), user.passwordHash(), upgraded)) {
                log.info("upgraded the password hash of a user to the current policy");
            }
        });
        List<GrantedAuthority> authorities = new ArrayList<>();
        // Spring Security 7 records which factors authenticated the user, and when (OIDC auth_time comes from it).
        authorities.add(FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY)
                .issuedAt(started)
                .build());
        for (String role : users.roles(user.username())) {
            authorities.add(new SimpleGrantedAuthority("ROLE_" + role));
        }
        return UsernamePasswordAuthenticationToken.authenticated(user.username(), null, authorities);
    }

    /**
     * The password check; empty for an unknown or disabled user (after the same work) or an unusable input. A full
     * hashing gate ({@link PasswordException.Reason#BUSY}) is thrown, not counted.
     */
    private Optional<Verification> verify(Optional<JdbcUserStore.StoredUser> found, String password) {
        try {
            if (found.isEmpty() || !found.get().enabled()) {
                hasher.verifyUnknownUser(password);
                return Optional.empty();
            }
            return Optional.of(hasher.verify(password, found.get().passwordHash()));
        } catch (PasswordException e) {
            if (e.reason() == PasswordException.Reason.BUSY) {
                // Every hashing slot stayed taken for the hasher's whole wait: the password was not checked, so this
                // is no failed attempt. Thrown through the limiter (which records nothing for an exception) and past
                // Spring Security's form filter (not an AuthenticationException, so no failure redirect or audit
                // event), to be answered 503 with Retry-After (transport.DatabaseOutageFilter).
                throw e;
            }
            // Too long, empty, or a stored hash we cannot read: a refusal like any other, no detail to the client.
            log.debug("password verification refused: {}", e.reason());
            return Optional.empty();
        }
    }

    /**
     * Too many recent failures; the message is shown to nobody (the login page says only "error"). Carries whether
     * the limiter's decision is a lockout, for the audit trail ({@code signin.locked}).
     */
    public static final class Throttled extends AuthenticationException {
        private static final long serialVersionUID = 1L;

        private final boolean lockedOut;
        private final long retryAfterSeconds;

        Throttled(ThrottleDecision decision) {
            super("Too many attempts; try again later");
            this.lockedOut = decision instanceof ThrottleDecision.Denied denied && denied.lockedOut();
            this.retryAfterSeconds = decision.retryAfterSeconds();
        }

        /**
         * Whether the account and address (or the address) are locked out, rather than delayed.
         *
         * @return {@code true} for a lockout
         */
        public boolean lockedOut() {
            return lockedOut;
        }

        /**
         * Seconds until the next attempt may run (0 if the limiter allows one again already).
         *
         * @return seconds
         */
        public long retryAfterSeconds() {
            return retryAfterSeconds;
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
