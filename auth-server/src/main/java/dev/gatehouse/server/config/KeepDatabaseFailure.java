package dev.gatehouse.server.config;

import dev.gatehouse.server.transport.DatabaseUnavailable;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;

/**
 * Wraps a Spring Authorization Server provider whose endpoint filter turns every exception but an {@link
 * OAuth2AuthenticationException} into {@code invalid_request} and drops it (the UserInfo endpoint): a database failure
 * leaves as an {@link OAuth2AuthenticationException} with {@code temporarily_unavailable} (RFC 6749 §4.1.2.1) that
 * keeps it as its cause, so the endpoint's error handler can tell an outage from a bad request.
 */
final class KeepDatabaseFailure implements AuthenticationProvider {

    private static final String TEMPORARILY_UNAVAILABLE = "temporarily_unavailable";

    private final AuthenticationProvider delegate;

    KeepDatabaseFailure(AuthenticationProvider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) throws AuthenticationException {
        try {
            return delegate.authenticate(authentication);
        } catch (RuntimeException e) {
            if (!(e instanceof AuthenticationException) && DatabaseUnavailable.causes(e)) {
                throw new OAuth2AuthenticationException(new OAuth2Error(TEMPORARILY_UNAVAILABLE), e);
            }
            throw e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }
}
