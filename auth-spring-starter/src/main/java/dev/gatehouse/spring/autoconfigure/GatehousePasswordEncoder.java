package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.password.PasswordException;
import dev.gatehouse.core.password.PasswordHasher;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * A Spring Security {@link PasswordEncoder} over Gatehouse's {@link PasswordHasher}: Argon2id by default,
 * verifies bcrypt/Argon2/scrypt/PBKDF2 hashes, and reports weaker hashes through {@link #upgradeEncoding} so
 * Spring's {@code UserDetailsPasswordService} rehashes them on sign-in.
 */
public final class GatehousePasswordEncoder implements PasswordEncoder {

    /** The id under which this encoder is registered in a {@code DelegatingPasswordEncoder}. */
    public static final String ID = "gatehouse";

    private final PasswordHasher hasher;

    /**
     * An encoder over the given hasher.
     *
     * @param hasher the hasher
     */
    public GatehousePasswordEncoder(PasswordHasher hasher) {
        this.hasher = Objects.requireNonNull(hasher, "hasher must not be null");
    }

    @Override
    public @Nullable String encode(@Nullable CharSequence rawPassword) {
        return rawPassword == null ? null : hasher.hash(rawPassword);
    }

    @Override
    public boolean matches(@Nullable CharSequence rawPassword, @Nullable String encodedPassword) {
        if (rawPassword == null || encodedPassword == null || encodedPassword.isEmpty()) {
            return false;
        }
        try {
            return hasher.verify(rawPassword, encodedPassword).matched();
        } catch (PasswordException e) {
            if (e.reason() == PasswordException.Reason.BUSY) {
                throw e; // not a wrong password: let the caller answer 503, not "bad credentials"
            }
            return false; // malformed or unsupported stored value: fail closed
        }
    }

    @Override
    public boolean upgradeEncoding(@Nullable String encodedPassword) {
        if (encodedPassword == null || encodedPassword.isEmpty()) {
            return false;
        }
        try {
            return hasher.needsRehash(encodedPassword);
        } catch (PasswordException e) {
            return false;
        }
    }
}
