package dev.gatehouse.server.signin;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.lang.Contract;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;

/**
 * The OIDC request parameters that bound how old a sign-in may be ({@code prompt}, {@code max_age}; OIDC Core 1.0
 * §3.1.2.1) and when a session's sign-in happened, shared by the re-authentication filter and the request validator.
 */
final class AuthenticationAge {

    /** {@code prompt} value: no page may be shown. */
    static final String PROMPT_NONE = "none";

    /** {@code prompt} value: the user must sign in again. */
    static final String PROMPT_LOGIN = "login";

    /** The {@code max_age} parameter. */
    static final String MAX_AGE = "max_age";

    /** The {@code prompt} parameter. */
    static final String PROMPT = "prompt";

    /** The longest {@code prompt} read; a longer one is refused by {@link AuthenticationRequestValidator}. */
    static final int MAX_PROMPT_LENGTH = 100;

    // Ten digits are over 300 years: anything longer is a mistake, not a policy.
    private static final int MAX_AGE_DIGITS = 10;

    private AuthenticationAge() {}

    /**
     * The values of {@code prompt} (space-separated).
     *
     * @param prompt the parameter, or {@code null}
     * @return its values, empty if absent
     */
    static Set<String> prompts(@Nullable String prompt) {
        if (prompt == null || prompt.isBlank()) {
            return Set.of();
        }
        if (prompt.length() > MAX_PROMPT_LENGTH) {
            // Fail closed for the filters that decide before the endpoint: read as a demand for a fresh sign-in
            // (the endpoint's validator refuses the request itself).
            return Set.of(PROMPT_LOGIN);
        }
        return Arrays.stream(prompt.split(" ")).filter(v -> !v.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Parses {@code max_age}: a non-negative number of seconds in decimal digits.
     *
     * @param value the parameter, or {@code null}
     * @return the allowed age, or {@code null} if absent
     * @throws IllegalArgumentException if present but not a non-negative integer
     */
    static @Nullable Duration maxAge(@Nullable Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.isEmpty() || s.length() > MAX_AGE_DIGITS) {
            throw new IllegalArgumentException("max_age must be a non-negative integer of at most 10 digits");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("max_age must be a non-negative integer of at most 10 digits");
            }
        }
        return Duration.ofSeconds(Long.parseLong(s));
    }

    /**
     * {@link #maxAge(Object)}, with an invalid value read as absent (the endpoint's validator refuses it).
     *
     * @param value the parameter, or {@code null}
     * @return the allowed age, or {@code null}
     */
    static @Nullable Duration maxAgeOrNull(@Nullable Object value) {
        try {
            return maxAge(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Whether a user (not an anonymous or absent authentication) is signed in.
     *
     * @param authentication the authentication, or {@code null}
     * @return {@code true} if signed in
     */
    @Contract("null -> false")
    static boolean signedIn(@Nullable Authentication authentication) {
        return authentication != null
                && authentication.isAuthenticated()
                && !(authentication instanceof AnonymousAuthenticationToken);
    }

    /**
     * When the sign-in began: the earliest factor Spring Security 7 recorded (the password). Using the earliest
     * factor is the cautious reading of {@code max_age}: a second factor added later does not make the password
     * step younger.
     *
     * @param authentication the authentication
     * @return the time, or {@code null} if no factor carries one (then the sign-in counts as too old)
     */
    static @Nullable Instant signedInAt(Authentication authentication) {
        @Nullable Instant earliest = null;
        for (GrantedAuthority a : authentication.getAuthorities()) {
            if (a instanceof FactorGrantedAuthority factor
                    && (earliest == null || factor.getIssuedAt().isBefore(earliest))) {
                earliest = factor.getIssuedAt();
            }
        }
        return earliest;
    }

    /**
     * Whether a sign-in is older than {@code max_age} allows.
     *
     * @param authentication the signed-in user
     * @param maxAge the allowed age
     * @param now the current time
     * @return {@code true} if older, or if its time is unknown
     */
    static boolean olderThan(Authentication authentication, Duration maxAge, Instant now) {
        Instant at = signedInAt(authentication);
        return at == null || at.plus(maxAge).isBefore(now);
    }
}
