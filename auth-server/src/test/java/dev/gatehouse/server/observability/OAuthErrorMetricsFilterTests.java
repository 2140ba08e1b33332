package dev.gatehouse.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class OAuthErrorMetricsFilterTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final OAuthErrorMetricsFilter filter = new OAuthErrorMetricsFilter(meters);

    @Test
    void newWhenNoErrorYetThenEachEndpointsUsualCodesRegisteredAtZero() {
        assertThat(errors("token", "invalid_grant")).isZero();
        assertThat(errors("authorize", "access_denied")).isZero();
        assertThat(errors("userinfo", "invalid_token")).isZero();
        assertThat(errors("token", "other")).isZero();
        int expected = OAuthErrorMetricsFilter.ENDPOINTS.values().stream()
                .mapToInt(codes -> codes.size() + 1)
                .sum();
        assertThat(meters.get(OAuthErrorMetricsFilter.ERRORS).counters()).hasSize(expected);
    }

    @Test
    void filterWhenJsonErrorBodyThenCountedByEndpointAndCode() throws Exception {
        run(post("/oauth2/token"), res -> {
            res.setStatus(400);
            res.setContentType("application/json");
            res.getOutputStream()
                    .write("{\"error\" : \"invalid_grant\",\"error_description\":\"x\"}"
                            .getBytes(StandardCharsets.UTF_8));
        });
        run(post("/oauth2/revoke"), res -> {
            res.setStatus(401);
            res.getWriter().write("{\"error_description\":\"first\",\"error\":\"invalid_client\"}");
        });

        assertThat(errors("token", "invalid_grant")).isEqualTo(1);
        assertThat(errors("revoke", "invalid_client")).isEqualTo(1);
    }

    @Test
    void filterWhenErrorRedirectThenCountedAndSuccessfulRedirectNot() throws Exception {
        run(get("/oauth2/authorize"), res -> res.sendRedirect("https://rp.example/cb?error=access_denied&state=s"));
        run(get("/oauth2/authorize"), res -> res.sendRedirect("https://rp.example/cb?code=abc&state=error"));
        run(get("/oauth2/authorize"), res -> res.sendRedirect("/login"));

        assertThat(errors("authorize", "access_denied")).isEqualTo(1);
        assertThat(meters.get(OAuthErrorMetricsFilter.ERRORS).counters())
                .filteredOn(c -> c.count() > 0)
                .hasSize(1);
    }

    @Test
    void filterWhenBearerChallengeWithoutBodyThenCountedFromTheChallenge() throws Exception {
        run(get("/userinfo"), res -> {
            res.setStatus(401);
            res.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"expired\"");
        });

        assertThat(errors("userinfo", "invalid_token")).isEqualTo(1);
    }

    @Test
    void filterWhenUnknownOrOddCodeThenCountedAsOtherNeverAsItsValue() throws Exception {
        run(post("/oauth2/token"), res -> {
            res.setStatus(400);
            res.getOutputStream().write("{\"error\":\"made_up_code\"}".getBytes(StandardCharsets.UTF_8));
        });
        run(post("/oauth2/token"), res -> {
            res.setStatus(400);
            res.getOutputStream().write("{\"error\":\"<script>\"}".getBytes(StandardCharsets.UTF_8));
        });

        assertThat(errors("token", "other")).isEqualTo(2);
        assertThat(meters.find(OAuthErrorMetricsFilter.ERRORS)
                        .tag("error", "made_up_code")
                        .counter())
                .isNull();
    }

    @Test
    void filterWhenSuccessOrOtherPathOrErrorWithoutCodeThenNothingCounted() throws Exception {
        run(
                post("/oauth2/token"),
                res -> res.getOutputStream()
                        .write("{\"access_token\":\"t\",\"error\":\"invalid_grant\"}"
                                .getBytes(StandardCharsets.UTF_8)));
        run(post("/login"), res -> {
            res.setStatus(400);
            res.getOutputStream().write("{\"error\":\"invalid_request\"}".getBytes(StandardCharsets.UTF_8));
        });
        run(get("/oauth2/register"), res -> res.sendError(404));

        assertThat(meters.get(OAuthErrorMetricsFilter.ERRORS).counters()).allMatch(c -> c.count() == 0);
    }

    @Test
    void endpointWhenEncodedPathThenMatchedAsDecoded() {
        MockHttpServletRequest request = post("/oauth2/%74oken");
        assertThat(OAuthErrorMetricsFilter.endpoint(request)).isEqualTo("token");
        assertThat(OAuthErrorMetricsFilter.endpoint(get("/oauth2/register/client-1")))
                .isEqualTo("registration");
        assertThat(OAuthErrorMetricsFilter.endpoint(get("/oauth2/jwks"))).isNull();
    }

    private double errors(String endpoint, String code) {
        return meters.get(OAuthErrorMetricsFilter.ERRORS)
                .tag("endpoint", endpoint)
                .tag("error", code)
                .counter()
                .count();
    }

    private void run(MockHttpServletRequest request, Endpoint endpoint) throws Exception {
        FilterChain chain = (req, res) -> endpoint.answer((HttpServletResponse) res);
        filter.doFilter(request, new MockHttpServletResponse(), chain);
    }

    /** What the endpoint behind the filter answers. */
    private interface Endpoint {
        void answer(HttpServletResponse response) throws IOException;
    }

    private static MockHttpServletRequest post(String path) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
        request.setRequestURI(path);
        return request;
    }

    private static MockHttpServletRequest get(String path) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        request.setRequestURI(path);
        return request;
    }
}
