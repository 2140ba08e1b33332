package dev.gatehouse.server.users;

import dev.gatehouse.core.password.PasswordException;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.Verification;
import java.time.Clock;
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

/**
 * Form-login authentication against the {@link JdbcUserStore} with auth-core's {@link PasswordHasher}: unknown and
 * disabled users take the same time as wrong passwords ({@link PasswordHasher#verifyUnknownUser}), all failures read
 * the same, and a matching password hashed under an older policy is re-hashed on the spot.
 */
public final class PasswordAuthenticationProvider implements AuthenticationProvider {

    private static final Logger log = LoggerFactory.getLogger(PasswordAuthenticationProvider.class);
    private static final int MAX_USERNAME_LENGTH = 200;

    private final JdbcUserStore users;
    private final PasswordHasher hasher;
    private final Clock clock;

    /**
     * Creates the provider.
     *
     * @param users the user store
     * @param hasher the password hasher
     * @param clock stamps the password factor (the ID token's {@code auth_time})
     */
    public PasswordAuthenticationProvider(JdbcUserStore users, PasswordHasher hasher, Clock clock) {
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.hasher = Objects.requireNonNull(hasher, "hasher must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String username = authentication.getName();
        Object credentials = authentication.getCredentials();
        String password = credentials == null ? "" : credentials.toString();
        Optional<JdbcUserStore.StoredUser> found =
                username == null || username.isEmpty() || username.length() > MAX_USERNAME_LENGTH
                        ? Optional.empty()
                        : users.find(username);
        Verification result;
        try {
            if (found.isEmpty() || !found.get().enabled()) {
                hasher.verifyUnknownUser(password);
                throw bad();
            }
            result = hasher.verify(password, found.get().passwordHash());
        } catch (PasswordException e) {
            // Too long, empty, or a stored hash we cannot read: a refusal like any other, no detail to the client.
            log.debug("password verification refused: {}", e.reason());
            throw bad();
        }
        if (!result.matched()) {
            throw bad();
        }
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

    private static BadCredentialsException bad() {
        return new BadCredentialsException("Bad credentials");
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
