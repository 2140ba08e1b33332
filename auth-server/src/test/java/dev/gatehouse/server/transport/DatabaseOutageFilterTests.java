package dev.gatehouse.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class DatabaseOutageFilterTests {

    private static final RuntimeException OUTAGE = new CannotGetJdbcConnectionException(
            "Failed to obtain JDBC Connection: Connection to db.internal:5432 refused");

    private final DatabaseOutageFilter filter = new DatabaseOutageFilter();

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
    void doFilterWhenPageOrAdminCannotReachDatabaseThenErrorDispatch() throws Exception {
        for (String path : new String[] {"/oauth2/authorize", "/login", "/admin/clients"}) {
            MockHttpServletResponse response = run("GET", path, failing(OUTAGE));
            assertThat(response.getStatus()).as(path).isEqualTo(503);
            // The error page or problem document comes from the container's error dispatch (GatehouseErrorController).
            assertThat(response.getErrorMessage()).as(path).isNull();
            assertThat(response.isCommitted()).as(path).isTrue();
            assertThat(response.getHeader("Retry-After")).as(path).isEqualTo("5");
            assertThat(response.getHeader("Cache-Control")).as(path).isEqualTo("no-store");
            assertThat(response.getContentAsString()).as(path).isEmpty();
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
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setServletPath(path);
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, chain);
        return response;
    }

    private static FilterChain failing(RuntimeException e) {
        return (request, response) -> {
            throw e;
        };
    }
}
