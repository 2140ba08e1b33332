package dev.gatehouse.server.passkeys;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.Serial;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRequestOptions;
import org.springframework.security.web.webauthn.authentication.PublicKeyCredentialRequestOptionsRepository;

/**
 * The sign-in's request options (WebAuthn Level 3 §5.5) in the browser session, as Spring's {@code
 * HttpSessionPublicKeyCredentialRequestOptionsRepository} keeps them, with the time they were made: options older than
 * {@link #TIMEOUT} by the injected clock are removed and not returned, so the assertion is refused like one without
 * a challenge (the sign-in's one generic refusal; WebAuthn Level 3 §5.5 {@code timeout}, §13.4.3 challenge freshness).
 * The options are {@code Serializable}, so Spring Session JDBC stores them as they are.
 *
 * <p>For the sign-in chain's wiring: {@code PublicKeyCredentialRequestOptionsFilter} and {@code
 * WebAuthnAuthenticationFilter} each take it by {@code setRequestOptionsRepository}.
 */
public final class TimedRequestOptionsRepository implements PublicKeyCredentialRequestOptionsRepository {

    /** The session attribute. */
    static final String ATTRIBUTE = TimedRequestOptionsRepository.class.getName() + ".OPTIONS";

    /** How long an assertion's challenge is accepted. */
    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(TimedRequestOptionsRepository.class);

    private final Clock clock;

    /**
     * Creates the repository.
     *
     * @param clock the time options are stamped and read with
     */
    public TimedRequestOptionsRepository(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    @Override
    public void save(
            HttpServletRequest request,
            HttpServletResponse response,
            @Nullable PublicKeyCredentialRequestOptions options) {
        if (options == null) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.removeAttribute(ATTRIBUTE);
            }
            return;
        }
        request.getSession().setAttribute(ATTRIBUTE, new Timed(options, clock.instant()));
    }

    @Override
    public @Nullable PublicKeyCredentialRequestOptions load(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        if (!(session.getAttribute(ATTRIBUTE) instanceof Timed timed)) {
            return null;
        }
        if (timed.createdAt().plus(TIMEOUT).isBefore(clock.instant())) {
            session.removeAttribute(ATTRIBUTE);
            log.debug("passkey request options expired (older than {})", TIMEOUT);
            return null;
        }
        return timed.options();
    }

    /** The options and when they were made. */
    record Timed(PublicKeyCredentialRequestOptions options, Instant createdAt) implements Serializable {

        @Serial
        private static final long serialVersionUID = 1L;
    }
}
