package dev.gatehouse.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The admission bound on password-checking requests. A request "in flight" is one whose chain has not returned: the
 * chain of the first request runs the next ones, so the bound is full without threads or sleeps.
 */
class PasswordAdmissionFilterTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final PasswordAdmissionFilter filter =
            bound(new PasswordAdmissionFilter(1, new DatabaseOutageFilter(DatabaseOutageFilterTests.templates())));
    private final List<String> reached = new ArrayList<>();

    @Test
    void doFilterWhenBoundReachedThenSignInPostRefused503WithRetryAfterAndPageBeforeTheSignIn() throws Exception {
        List<MockHttpServletResponse> inside = new ArrayList<>();
        MockHttpServletResponse first = run(signIn("demo"), (req, res) -> {
            reached.add("first");
            inside.add(run(signIn("alice"), reaching("second")));
        });

        MockHttpServletResponse refused = inside.get(0);
        assertThat(first.getStatus()).isEqualTo(200);
        assertThat(reached).containsExactly("first");
        assertThat(refused.getStatus()).isEqualTo(503);
        assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
        assertThat(refused.getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(refused.getContentType()).startsWith("text/html");
        assertThat(refused.getContentAsString()).contains("503 Service Unavailable", DatabaseOutageFilter.MESSAGE);
        assertThat(meters.get("gatehouse.password.admission.refused")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(meters.get("gatehouse.password.admission.in.flight.peak")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
    }

    @Test
    void doFilterWhenRequestReturnsThenItsPlaceIsFreeAgain() throws Exception {
        run(signIn("demo"), reaching("first"));
        MockHttpServletResponse second = run(signIn("demo"), reaching("second"));

        assertThat(second.getStatus()).isEqualTo(200);
        assertThat(reached).containsExactly("first", "second");
        assertThat(meters.get("gatehouse.password.admission.in.flight").gauge().value())
                .isZero();
        assertThat(meters.get("gatehouse.password.admission.refused")
                        .functionCounter()
                        .count())
                .isZero();
    }

    @Test
    void doFilterWhenChainThrowsThenItsPlaceIsFreeAgain() throws Exception {
        try {
            run(signIn("demo"), (req, res) -> {
                throw new IllegalStateException("boom");
            });
        } catch (IllegalStateException expected) {
            // the place must still be given back
        }

        assertThat(run(signIn("demo"), reaching("after")).getStatus()).isEqualTo(200);
        assertThat(reached).containsExactly("after");
    }

    @Test
    void doFilterWhenBoundReachedThenKnownAndUnknownUsersGetTheSameAnswer() throws Exception {
        List<MockHttpServletResponse> inside = new ArrayList<>();
        run(signIn("demo"), (req, res) -> {
            inside.add(run(signIn("demo"), reaching("known")));
            inside.add(run(signIn("nobody-" + "x".repeat(40)), reaching("unknown")));
        });

        assertThat(reached).isEmpty();
        assertThat(inside.get(0).getStatus())
                .isEqualTo(inside.get(1).getStatus())
                .isEqualTo(503);
        assertThat(inside.get(0).getContentAsByteArray())
                .isEqualTo(inside.get(1).getContentAsByteArray());
        assertThat(inside.get(0).getHeaderNames()).isEqualTo(inside.get(1).getHeaderNames());
    }

    @Test
    void doFilterWhenBoundReachedThenOtherTrafficAndOtherPasswordFormsAreTold() throws Exception {
        List<MockHttpServletResponse> inside = new ArrayList<>();
        run(signIn("demo"), (req, res) -> {
            inside.add(run(request("GET", "/oauth2/jwks", "application/json"), reaching("jwks")));
            inside.add(run(request("POST", "/oauth2/token", "application/json"), reaching("token")));
            inside.add(run(request("GET", "/login", "text/html"), reaching("login page")));
            inside.add(run(request("GET", "/actuator/health", "application/json"), reaching("health")));
            inside.add(run(request("POST", "/account/password", "text/html"), reaching("password change")));
            inside.add(run(request("POST", "/account/confirm", "text/html"), reaching("step-up")));
            inside.add(run(request("POST", "/register", "text/html"), reaching("registration")));
            inside.add(run(request("POST", "/password/reset", "text/html"), reaching("reset")));
            inside.add(run(request("POST", "/account/email", "text/html"), reaching("address change")));
            inside.add(run(request("POST", "/login", "application/json"), reaching("api sign-in")));
        });

        assertThat(reached).containsExactly("jwks", "token", "login page", "health");
        assertThat(inside.subList(4, 10)).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(503);
            assertThat(r.getHeader("Retry-After")).isEqualTo("1");
        });
        assertThat(inside.get(9).getContentType()).isEqualTo("application/problem+json");
    }

    @Test
    void maxPasswordChecksInFlightWhenAutomaticThenTwiceTheSlotsAtMostHalfTheThreads() {
        assertThat(TransportConfiguration.maxPasswordChecksInFlight(0, 2, 8)).isEqualTo(4);
        assertThat(TransportConfiguration.maxPasswordChecksInFlight(0, 2, 200)).isEqualTo(4);
        assertThat(TransportConfiguration.maxPasswordChecksInFlight(0, 16, 8)).isEqualTo(4);
        assertThat(TransportConfiguration.maxPasswordChecksInFlight(0, 2, 1)).isEqualTo(1);
        assertThat(TransportConfiguration.maxPasswordChecksInFlight(3, 2, 8)).isEqualTo(3);
    }

    @Test
    void maxPasswordChecksInFlightWhenConfiguredAtOrAboveTheThreadsThenOneThreadStaysFree() {
        assertThat(TransportConfiguration.maxPasswordChecksInFlight(200, 2, 200))
                .isEqualTo(199);
        assertThat(TransportConfiguration.maxPasswordChecksInFlight(500, 2, 8)).isEqualTo(7);
        assertThat(TransportConfiguration.maxPasswordChecksInFlight(5, 2, 1)).isEqualTo(1);
    }

    @Test
    void doFilterWhenFloodedThenRefusalsLeaveInFlightAtTheBound() throws Exception {
        List<Double> seen = new ArrayList<>();
        run(signIn("demo"), (req, res) -> {
            for (int i = 0; i < 3; i++) {
                run(signIn("demo"), reaching("refused"));
                seen.add(meters.get("gatehouse.password.admission.in.flight")
                        .gauge()
                        .value());
            }
        });

        assertThat(seen).containsOnly(1.0);
        assertThat(meters.get("gatehouse.password.admission.refused")
                        .functionCounter()
                        .count())
                .isEqualTo(3.0);
        assertThat(meters.get("gatehouse.password.admission.in.flight.peak")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
    }

    private PasswordAdmissionFilter bound(PasswordAdmissionFilter f) {
        f.bindTo(meters);
        return f;
    }

    private MockHttpServletResponse run(MockHttpServletRequest request, FilterChain chain)
            throws ServletException, IOException {
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, chain);
        return response;
    }

    private FilterChain reaching(String name) {
        return (req, res) -> reached.add(name);
    }

    private static MockHttpServletRequest signIn(String username) {
        MockHttpServletRequest request = request("POST", "/login", "text/html,application/xhtml+xml");
        request.setParameter("username", username);
        request.setParameter("password", "correct horse battery staple");
        return request;
    }

    private static MockHttpServletRequest request(String method, String path, String accept) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.addHeader("Accept", accept);
        return request;
    }
}
