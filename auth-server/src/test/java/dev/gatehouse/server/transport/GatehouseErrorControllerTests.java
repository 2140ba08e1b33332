package dev.gatehouse.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import org.apache.catalina.session.TooManyActiveSessionsException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.ModelAndView;

class GatehouseErrorControllerTests {

    private final GatehouseErrorController errors = new GatehouseErrorController();

    @Test
    void statusWhenSessionCapReachedThenServiceUnavailableWithRetryAfter() {
        MockHttpServletRequest request = errorDispatch(500);
        request.setAttribute(
                RequestDispatcher.ERROR_EXCEPTION,
                new IllegalStateException(new TooManyActiveSessionsException("too many sessions", 10)));
        assertThat(GatehouseErrorController.status(request)).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        var problem = errors.problem(request, new MockHttpServletResponse());
        assertThat(problem.getStatusCode().value()).isEqualTo(503);
        assertThat(problem.getHeaders().getFirst("Retry-After")).isEqualTo("60");
    }

    @Test
    void problemWhenExceptionCarriesInputThenOnlyTheFixedMessage() {
        MockHttpServletRequest request = errorDispatch(400);
        request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new IllegalArgumentException("<script>secret"));
        request.setAttribute(RequestDispatcher.ERROR_MESSAGE, "[invalid_request] redirect_uri=<script>");
        ProblemDetail problem =
                errors.problem(request, new MockHttpServletResponse()).getBody();
        assertThat(problem).isNotNull();
        assertThat(problem.getStatus()).isEqualTo(400);
        assertThat(problem.getDetail()).isEqualTo(GatehouseErrorController.message(HttpStatus.BAD_REQUEST));
        assertThat(String.valueOf(problem)).doesNotContain("script", "secret", "redirect_uri");
        ModelAndView page = errors.page(request, new MockHttpServletResponse());
        assertThat(page.getViewName()).isEqualTo("error");
        assertThat(page.getModel().values())
                .allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain("script", "secret"));
    }

    @Test
    void statusWhenNotAnErrorDispatchThenNotFound() {
        assertThat(GatehouseErrorController.status(new MockHttpServletRequest("GET", "/error")))
                .isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void statusWhenContainerGaveNoneOrNoErrorThenInternalServerError() {
        MockHttpServletRequest none = new MockHttpServletRequest("GET", "/error");
        none.setDispatcherType(DispatcherType.ERROR);
        assertThat(GatehouseErrorController.status(none)).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(GatehouseErrorController.status(errorDispatch(200))).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
    }

    @Test
    void pageWhenAuthorizationRequestRefusedForItsRedirectUriThenSaysSoWithTheCodeButNothingFromTheRequest() {
        MockHttpServletRequest request = errorDispatch(400);
        AuthorizationErrorPage.describe(request, "invalid_request", "OAuth 2.0 Parameter: redirect_uri");
        ModelAndView page = errors.page(request, new MockHttpServletResponse());
        assertThat(page.getModel())
                .containsEntry("kind", "authorizeRedirect")
                .containsEntry("errorCode", "invalid_request")
                .containsEntry("status", 400);

        MockHttpServletRequest client = errorDispatch(400);
        AuthorizationErrorPage.describe(client, "invalid_request", "OAuth 2.0 Parameter: client_id");
        assertThat(errors.page(client, new MockHttpServletResponse()).getModel())
                .containsEntry("kind", "authorizeClient");

        MockHttpServletRequest odd = errorDispatch(400);
        AuthorizationErrorPage.describe(odd, "<script>", "anything");
        assertThat(errors.page(odd, new MockHttpServletResponse()).getModel())
                .containsEntry("kind", "authorizeRequest")
                .doesNotContainKey("errorCode");
    }

    @Test
    void pageWhenCsrfTokenMissingOrStaleThenFormExpiredNotForbidden() {
        MockHttpServletRequest request = errorDispatch(403);
        request.setAttribute(
                org.springframework.security.web.WebAttributes.ACCESS_DENIED_403,
                new org.springframework.security.web.csrf.InvalidCsrfTokenException(
                        new org.springframework.security.web.csrf.DefaultCsrfToken("X-CSRF", "_csrf", "a"), "b"));
        assertThat(errors.page(request, new MockHttpServletResponse()).getModel())
                .containsEntry("kind", "formExpired");
        MockHttpServletRequest other = errorDispatch(403);
        other.setAttribute(
                org.springframework.security.web.WebAttributes.ACCESS_DENIED_403,
                new org.springframework.security.access.AccessDeniedException("no"));
        assertThat(errors.page(other, new MockHttpServletResponse()).getModel()).containsEntry("kind", "forbidden");
    }

    @Test
    void pageWhenAnyErrorStatusOrAuthorizationKindThenItsTitleMessageAndActionExistInTheBundles() throws Exception {
        java.util.Properties pages = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(
                java.nio.file.Path.of("src/main/resources/i18n/pages.properties"))) {
            pages.load(in);
        }
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        for (HttpStatus status : HttpStatus.values()) {
            if (status.isError()) {
                kinds.add(GatehouseErrorController.kind(errorDispatch(status.value()), status));
            }
        }
        for (AuthorizationErrorPage.Kind kind : AuthorizationErrorPage.Kind.values()) {
            kinds.add(kind.messages());
        }
        MockHttpServletRequest csrf = errorDispatch(403);
        csrf.setAttribute(
                org.springframework.security.web.WebAttributes.ACCESS_DENIED_403,
                new org.springframework.security.web.csrf.MissingCsrfTokenException("t"));
        kinds.add(GatehouseErrorController.kind(csrf, HttpStatus.FORBIDDEN));
        assertThat(kinds).contains("formExpired");
        assertThat(kinds).contains("notFound", "serverError", "unavailable", "authorizeClient", "authorizeRedirect");
        for (String kind : kinds) {
            for (String part : java.util.List.of("title", "message", "action")) {
                assertThat(pages.getProperty("error." + kind + "." + part))
                        .as("error.%s.%s", kind, part)
                        .isNotBlank();
            }
        }
    }

    private static MockHttpServletRequest errorDispatch(int status) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setDispatcherType(DispatcherType.ERROR);
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, status);
        return request;
    }
}
