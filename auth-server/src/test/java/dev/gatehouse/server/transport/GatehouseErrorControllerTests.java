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

    private static MockHttpServletRequest errorDispatch(int status) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setDispatcherType(DispatcherType.ERROR);
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, status);
        return request;
    }
}
