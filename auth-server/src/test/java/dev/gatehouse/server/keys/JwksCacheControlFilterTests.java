package dev.gatehouse.server.keys;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class JwksCacheControlFilterTests {

    private final JwksCacheControlFilter filter = new JwksCacheControlFilter("/oauth2/jwks", Duration.ofMinutes(5));

    private MockHttpServletResponse run(String method, String path, MockFilterChain chain) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(new MockHttpServletRequest(method, path), response, chain);
        return response;
    }

    @Test
    void doFilterWhenJwksServedThenPublicWithMaxAgeInSeconds() throws Exception {
        MockHttpServletResponse response = run("GET", "/oauth2/jwks", new MockFilterChain());

        assertThat(response.getHeader("Cache-Control")).isEqualTo("public, max-age=300");
    }

    @Test
    void doFilterWhenJwksRequestRefusedThenNoStoreSoNoCacheKeepsTheRefusal() throws Exception {
        MockHttpServletResponse limited =
                run("GET", "/oauth2/jwks", new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
                    @Override
                    protected void service(jakarta.servlet.http.HttpServletRequest req, HttpServletResponse res) {
                        res.setStatus(429);
                    }
                }));
        MockHttpServletResponse failed =
                run("GET", "/oauth2/jwks", new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
                    @Override
                    protected void service(jakarta.servlet.http.HttpServletRequest req, HttpServletResponse res)
                            throws java.io.IOException {
                        res.sendError(500);
                    }
                }));

        assertThat(limited.getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(failed.getHeader("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void doFilterWhenOtherPathOrMethodThenHeaderLeftToSpringSecurity() throws Exception {
        assertThat(run("GET", "/oauth2/token", new MockFilterChain()).getHeader("Cache-Control"))
                .isNull();
        assertThat(run("POST", "/oauth2/jwks", new MockFilterChain()).getHeader("Cache-Control"))
                .isNull();
    }
}
