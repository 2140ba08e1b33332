package dev.gatehouse.server.transport;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.apache.catalina.session.TooManyActiveSessionsException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;

/**
 * Gatehouse's error page, in place of Spring Boot's "Whitelabel Error Page": the status and fixed texts per status
 * (what happened, what to do, in the page's language), never the request's input or the exception (which may carry
 * either). Browsers get the {@code error} template; everyone else an RFC 9457 problem document ({@code application/problem+json}). Reached only by the
 * container's error dispatch: {@code /error} requested directly is a plain 404.
 */
@Controller
@RequestMapping("/error")
final class GatehouseErrorController implements ErrorController {

    /** {@code Retry-After} of a {@code 503} that set none of its own (the session cap): sessions end slowly. */
    private static final String SESSION_CAP_RETRY_AFTER = "60";

    /**
     * The page for browsers.
     *
     * @param request the error dispatch
     * @return the {@code error} template with {@code status}, {@code kind} (which texts) and {@code errorCode} (an
     *     RFC 6749 error code of a refused authorization request, or {@code null})
     */
    @RequestMapping(produces = MediaType.TEXT_HTML_VALUE)
    ModelAndView page(HttpServletRequest request, HttpServletResponse response) {
        HttpStatus status = status(request);
        if (status == HttpStatus.SERVICE_UNAVAILABLE) {
            retryLater(response);
        }
        Map<String, Object> model = new HashMap<>();
        model.put("status", status.value());
        model.put("kind", kind(request, status));
        @Nullable String code = errorCode(request, status);
        if (code != null) {
            model.put("errorCode", code);
        }
        return new ModelAndView("error", model, status);
    }

    /**
     * The problem document (RFC 9457 §3.1: {@code type} {@code about:blank}, {@code title} the status phrase).
     *
     * @param request the error dispatch
     * @return the problem with its status
     */
    @RequestMapping
    ResponseEntity<ProblemDetail> problem(HttpServletRequest request, HttpServletResponse response) {
        HttpStatus status = status(request);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, message(status));
        // Not the failed request's path: that is the caller's input.
        problem.setInstance(URI.create("/error"));
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .header(HttpHeaders.CACHE_CONTROL, "no-store");
        if (status == HttpStatus.SERVICE_UNAVAILABLE && !response.containsHeader(HttpHeaders.RETRY_AFTER)) {
            answer.header(HttpHeaders.RETRY_AFTER, SESSION_CAP_RETRY_AFTER);
        }
        return answer.body(problem);
    }

    /**
     * {@code Retry-After} (RFC 9110 §10.2.3) and {@code no-store} on a {@code 503} page, unless the failed request set
     * a {@code Retry-After} of its own (a database outage: {@link DatabaseUnavailable#RETRY_AFTER_SECONDS}).
     */
    private static void retryLater(HttpServletResponse response) {
        if (!response.containsHeader(HttpHeaders.RETRY_AFTER)) {
            response.setHeader(HttpHeaders.RETRY_AFTER, SESSION_CAP_RETRY_AFTER);
        }
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }

    /**
     * The status to answer: the container's, 503 when the session cap refused a new session or the database is
     * unavailable ({@link DatabaseUnavailable}), 404 outside an error
     * dispatch, 500 when the container gave none.
     */
    static HttpStatus status(HttpServletRequest request) {
        if (request.getDispatcherType() != DispatcherType.ERROR) {
            return HttpStatus.NOT_FOUND;
        }
        for (Throwable t = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
                t != null;
                t = t.getCause()) {
            if (t instanceof TooManyActiveSessionsException) {
                return HttpStatus.SERVICE_UNAVAILABLE;
            }
        }
        if (DatabaseUnavailable.causes((Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION))) {
            return HttpStatus.SERVICE_UNAVAILABLE;
        }
        HttpStatus status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code
                ? HttpStatus.resolve(code)
                : null;
        return status == null || !status.isError() ? HttpStatus.INTERNAL_SERVER_ERROR : status;
    }

    /**
     * Which texts the page shows ({@code error.<kind>.title}, {@code .message}, {@code .action} in the {@code pages}
     * bundles): an authorization request that could not be redirected says which part was wrong
     * ({@link AuthorizationErrorPage}), any other error the fixed texts of its status.
     */
    static String kind(HttpServletRequest request, HttpStatus status) {
        if (status == HttpStatus.BAD_REQUEST
                && request.getAttribute(AuthorizationErrorPage.KIND) instanceof AuthorizationErrorPage.Kind kind) {
            return kind.messages();
        }
        // A form posted with a missing or stale CSRF token: mostly a form left open past the session's life (the
        // sign-in form's anonymous session lasts minutes), so "not allowed" would mislead.
        if (status == HttpStatus.FORBIDDEN
                && request.getAttribute(WebAttributes.ACCESS_DENIED_403) instanceof CsrfException) {
            return "formExpired";
        }
        return switch (status) {
            case BAD_REQUEST -> "badRequest";
            case UNAUTHORIZED -> "unauthorized";
            case FORBIDDEN -> "forbidden";
            case NOT_FOUND -> "notFound";
            case METHOD_NOT_ALLOWED -> "methodNotAllowed";
            case REQUEST_TIMEOUT -> "timeout";
            case PAYLOAD_TOO_LARGE, URI_TOO_LONG, REQUEST_HEADER_FIELDS_TOO_LARGE -> "tooLarge";
            case TOO_MANY_REQUESTS -> "tooManyRequests";
            case SERVICE_UNAVAILABLE -> "unavailable";
            default -> status.is4xxClientError() ? "clientError" : "serverError";
        };
    }

    /** The OAuth error code of a refused authorization request, when it is one RFC 6749 defines; else none. */
    static @Nullable String errorCode(HttpServletRequest request, HttpStatus status) {
        return status == HttpStatus.BAD_REQUEST
                        && request.getAttribute(AuthorizationErrorPage.CODE) instanceof String code
                        && AuthorizationErrorPage.CODES.contains(code)
                ? code
                : null;
    }

    /** A fixed message per status: nothing from the request or the exception reaches the page. */
    static String message(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "The request was not valid. Go back to the application and start again.";
            case UNAUTHORIZED -> "You need to sign in first.";
            case FORBIDDEN -> "You are not allowed to do this.";
            case NOT_FOUND -> "There is nothing here.";
            case METHOD_NOT_ALLOWED -> "This address does not accept this kind of request.";
            case REQUEST_TIMEOUT -> "The request took too long to arrive.";
            case PAYLOAD_TOO_LARGE, URI_TOO_LONG, REQUEST_HEADER_FIELDS_TOO_LARGE -> "The request was too large.";
            case TOO_MANY_REQUESTS -> "Too many requests. Try again later.";
            case SERVICE_UNAVAILABLE -> "The server is busy. Try again in a minute.";
            default ->
                status.is4xxClientError()
                        ? "The request could not be served."
                        : "Something went wrong on our side. Try again later.";
        };
    }
}
