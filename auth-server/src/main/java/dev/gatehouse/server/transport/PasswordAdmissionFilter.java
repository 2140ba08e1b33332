package dev.gatehouse.server.transport;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

/**
 * Admission bound on the requests that will hash or verify a password: at most {@code maxInFlight} of them are in
 * flight on this node; the next one is answered at once, before its session is loaded or its body parsed, with
 * {@code 503 Service Unavailable} (RFC 9110 §15.6.4), {@code Retry-After} (RFC 9110 §10.2.3) and the body of every
 * other {@code 503} ({@link DatabaseOutageFilter}: the page for browsers, an RFC 9457 problem otherwise).
 *
 * <p>Why a bound ahead of the hashing gate: the gate (auth-core's {@code HashingGate}) keeps memory safe, but a caller
 * waiting for a slot holds a request thread. With 500 simultaneous sign-ins every request thread ended up waiting at
 * the gate and the rest of the burst, and every other request (token endpoint, JWKS, health), queued in the
 * connection backlog for over a minute. The bound is below the request threads, so the other threads keep answering
 * refusals and other traffic in milliseconds.
 *
 * <p>A refused request never reached the sign-in: no user was looked up (the answer is the same for known and unknown
 * names) and nothing is counted against the account or the address by the attempt limiter.
 *
 * <p>Meters: {@code gatehouse.password.admission.refused} (counter), {@code gatehouse.password.admission.in.flight}
 * {@code gatehouse.password.admission.in.flight.peak} and {@code gatehouse.password.admission.max} (gauges).
 */
final class PasswordAdmissionFilter extends OncePerRequestFilter implements MeterBinder {

    private static final UrlPathHelper PATHS = paths();

    private final int maxInFlight;
    private final DatabaseOutageFilter answers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();

    /**
     * Creates the filter.
     *
     * @param maxInFlight password-checking requests allowed in flight at once, at least 1
     * @param answers writes the {@code 503} answer, as for a full hashing gate
     */
    PasswordAdmissionFilter(int maxInFlight, DatabaseOutageFilter answers) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1");
        }
        this.maxInFlight = maxInFlight;
        this.answers = Objects.requireNonNull(answers, "answers must not be null");
    }

    /** Registers the refusal counter and the in-flight gauges (a {@code MeterBinder}: only where meters are kept). */
    @Override
    public void bindTo(MeterRegistry meters) {
        FunctionCounter.builder("gatehouse.password.admission.refused", refused, AtomicLong::get)
                .description("Requests that would check a password, refused with 503 because the node's bound was"
                        + " reached")
                .register(meters);
        Gauge.builder("gatehouse.password.admission.in.flight", inFlight, AtomicInteger::get)
                .description("Password-checking requests in flight")
                .register(meters);
        Gauge.builder("gatehouse.password.admission.in.flight.peak", peak, AtomicInteger::get)
                .description("The most password-checking requests in flight at once since start")
                .register(meters);
        Gauge.builder("gatehouse.password.admission.max", this, PasswordAdmissionFilter::maxInFlight)
                .description("Password-checking requests allowed in flight at once"
                        + " (gatehouse.server.transport.max-password-checks-in-flight)")
                .register(meters);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!checksPassword(request)) {
            chain.doFilter(request, response);
            return;
        }
        // Take a place only while one is free: the count never exceeds the bound, even for an instant, so a place
        // freed during a flood goes to the next request instead of being hidden by refusals still unwinding.
        int now;
        do {
            now = inFlight.get();
            if (now >= maxInFlight) {
                refused.incrementAndGet();
                answers.refuseBusy(request, response);
                return;
            }
        } while (!inFlight.compareAndSet(now, now + 1));
        peak.accumulateAndGet(now + 1, Math::max);
        try {
            chain.doFilter(request, response);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** The bound. */
    int maxInFlight() {
        return maxInFlight;
    }

    /**
     * Whether the request will hash or verify a password: the sign-in form ({@code POST /login}), the account's
     * password change, re-authentication (step-up) and change-of-address forms (each checks the current
     * password), self-registration and the password reset. Matched on the
     * decoded, normalised path, as Spring Security's matchers see it.
     */
    static boolean checksPassword(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod())) {
            return false;
        }
        return switch (PATHS.getPathWithinApplication(request)) {
            case "/login", "/account/password", "/account/confirm", "/account/email", "/register", "/password/reset" ->
                true;
            default -> false;
        };
    }

    private static UrlPathHelper paths() {
        UrlPathHelper helper = new UrlPathHelper();
        helper.setUrlDecode(true);
        helper.setRemoveSemicolonContent(true);
        return helper;
    }
}
