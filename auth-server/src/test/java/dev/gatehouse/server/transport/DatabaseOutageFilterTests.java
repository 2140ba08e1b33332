package dev.gatehouse.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.password.Argon2Parameters;
import dev.gatehouse.core.password.HeldHashingSlots;
import dev.gatehouse.core.password.PasswordHasher;
import jakarta.servlet.FilterChain;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

class DatabaseOutageFilterTests {

    private static final RuntimeException OUTAGE = new CannotGetJdbcConnectionException(
            "Failed to obtain JDBC Connection: Connection to db.internal:5432 refused");

    private final DatabaseOutageFilter filter = new DatabaseOutageFilter(templates());

    @Test
    void doFilterWhenTokenEndpointCannotReachDatabaseThenOAuthErrorJson() throws Exception {
        MockHttpServletResponse response = run("POST", "/oauth2/token", failing(OUTAGE));
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("5");
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(response.getContentType()).isEqualTo("application/json");
        assertThat(response.getContentAsString())
                .contains("\"error\":\"temporarily_unavailable\"")
                .doesNotContain("db.internal", "JDBC", "5432");
    }

    @Test
    void doFilterWhenBrowserPageCannotReachDatabaseThenErrorPageNeverRedirect() throws Exception {
        for (String path : new String[] {"/oauth2/authorize", "/login", "/consent"}) {
            MockHttpServletResponse response = run("GET", path, failing(OUTAGE), "text/html,application/xhtml+xml");
            assertThat(response.getStatus()).as(path).isEqualTo(503);
            assertThat(response.getHeader("Location")).as(path).isNull();
            assertThat(response.getHeader("Retry-After")).as(path).isEqualTo("5");
            assertThat(response.getHeader("Cache-Control")).as(path).isEqualTo("no-store");
            assertThat(response.getContentType()).as(path).startsWith("text/html");
            assertThat(response.getContentAsString())
                    .as(path)
                    .contains("503 Service Unavailable", DatabaseOutageFilter.MESSAGE)
                    .doesNotContain("db.internal", "JDBC", "5432");
        }
    }

    @Test
    void doFilterWhenAdminApiOrNonBrowserCannotReachDatabaseThenProblemDocument() throws Exception {
        for (String path : new String[] {"/admin/clients", "/login"}) {
            MockHttpServletResponse response = run("GET", path, failing(OUTAGE), "application/json");
            assertThat(response.getStatus()).as(path).isEqualTo(503);
            assertThat(response.getHeader("Retry-After")).as(path).isEqualTo("5");
            assertThat(response.getHeader("Cache-Control")).as(path).isEqualTo("no-store");
            assertThat(response.getContentType()).as(path).isEqualTo("application/problem+json");
            assertThat(response.getContentAsString())
                    .as(path)
                    .contains("\"status\":503", DatabaseOutageFilter.MESSAGE)
                    .doesNotContain("db.internal", "JDBC", "5432");
        }
    }

    @Test
    void doFilterWhenHashingSlotsAllTakenThenFast503WithRetryAfterNeverServerError() throws Exception {
        // A gate of one slot, no wait, held by the test: the sign-in's password check is refused as BUSY.
        PasswordHasher oneSlot = PasswordHasher.builder()
                .parameters(Argon2Parameters.owasp())
                .maxConcurrentHashes(1)
                .maxWait(Duration.ZERO)
                .build();
        FilterChain signIn = (request, response) -> oneSlot.verifyUnknownUser("correct horse battery staple");
        try (HeldHashingSlots held = HeldHashingSlots.holdAll(oneSlot)) {
            MockHttpServletResponse page = run("POST", "/login", signIn, "text/html,application/xhtml+xml");
            assertThat(page.getStatus()).isEqualTo(503);
            assertThat(page.getHeader("Location")).isNull();
            assertThat(page.getHeader("Retry-After")).isEqualTo("1");
            assertThat(page.getHeader("Cache-Control")).isEqualTo("no-store");
            assertThat(page.getContentAsString()).contains("503 Service Unavailable", DatabaseOutageFilter.MESSAGE);

            MockHttpServletResponse token = run("POST", "/oauth2/token", signIn);
            assertThat(token.getStatus()).isEqualTo(503);
            assertThat(token.getHeader("Retry-After")).isEqualTo("1");
            assertThat(token.getContentAsString()).contains("\"error\":\"temporarily_unavailable\"");
        }
    }

    @Test
    void doFilterWhenOtherFailureThenRethrown() {
        RuntimeException bug = new DataIntegrityViolationException("duplicate");
        assertThatThrownBy(() -> run("POST", "/oauth2/token", failing(bug))).isSameAs(bug);
    }

    @Test
    void doFilterWhenResponseAlreadyCommittedThenRethrown() {
        FilterChain commitsThenFails = (request, response) -> {
            response.getOutputStream().write('{');
            response.flushBuffer();
            throw OUTAGE;
        };
        assertThatThrownBy(() -> run("POST", "/oauth2/token", commitsThenFails)).isSameAs(OUTAGE);
    }

    private MockHttpServletResponse run(String method, String path, FilterChain chain) throws Exception {
        return run(method, path, chain, "application/json");
    }

    private MockHttpServletResponse run(String method, String path, FilterChain chain, String accept) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.addHeader("Accept", accept);
        request.setServletPath(path);
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, chain);
        return response;
    }

    /** The server's own error template, as Spring Boot's Thymeleaf set-up finds it. */
    static SpringTemplateEngine templates() {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
        resolver.setPrefix("templates/");
        resolver.setSuffix(".html");
        SpringTemplateEngine engine = new SpringTemplateEngine();
        engine.setTemplateResolver(resolver);
        return engine;
    }

    private static FilterChain failing(RuntimeException e) {
        return (request, response) -> {
            throw e;
        };
    }
}
