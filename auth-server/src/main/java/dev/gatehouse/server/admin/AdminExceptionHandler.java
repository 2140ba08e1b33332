package dev.gatehouse.server.admin;

import dev.gatehouse.core.password.PasswordException;
import dev.gatehouse.server.clients.ClientSettingsLimit;
import dev.gatehouse.server.transport.DatabaseUnavailable;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error of the admin controllers as an RFC 9457 problem ({@code application/problem+json}) with a {@code code}
 * member and, for invalid fields, an {@code errors} list of {@code {field, code, message}}. Details are written here,
 * never copied from a parser or database message, since those can quote the input (a password) or the stored row.
 */
@RestControllerAdvice(basePackageClasses = AdminExceptionHandler.class)
final class AdminExceptionHandler extends ResponseEntityExceptionHandler {

    /** Problem type URIs (RFC 9457 §3.1.1: a URN where no documentation page is served). */
    static final String TYPE_PREFIX = "urn:gatehouse:problem:";

    private static final Logger LOG = LoggerFactory.getLogger(AdminExceptionHandler.class);

    @ExceptionHandler(AdminException.class)
    ResponseEntity<Object> admin(AdminException e, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
        if (!e.errors().isEmpty()) {
            problem.setProperty("errors", e.errors());
        }
        return respond(problem, e.code(), new HttpHeaders(), request);
    }

    @ExceptionHandler(ClientSettingsLimit.TooLarge.class)
    ResponseEntity<Object> settingsTooLarge(ClientSettingsLimit.TooLarge e, WebRequest request) {
        // Checked before the row is written (V24's column length): nothing was stored.
        return respond(
                ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ClientSettingsLimit.TooLarge.DESCRIPTION),
                "admin.client.settings_too_large",
                new HttpHeaders(),
                request);
    }

    @ExceptionHandler(PasswordException.class)
    ResponseEntity<Object> password(PasswordException e, WebRequest request) {
        if (e.reason() == PasswordException.Reason.BUSY) {
            HttpHeaders headers = new HttpHeaders();
            headers.set(HttpHeaders.RETRY_AFTER, "1");
            return respond(
                    ProblemDetail.forStatusAndDetail(
                            HttpStatus.SERVICE_UNAVAILABLE, "The server is busy hashing passwords; retry shortly."),
                    "admin.busy",
                    headers,
                    request);
        }
        return respond(
                ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The password cannot be used."),
                e.code(),
                new HttpHeaders(),
                request);
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ResponseEntity<Object> duplicate(DuplicateKeyException e, WebRequest request) {
        // A concurrent creation of the same id won the race (the check before the insert passed for both).
        return respond(
                ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "It already exists."),
                "admin.conflict",
                new HttpHeaders(),
                request);
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> integrity(DataIntegrityViolationException e, WebRequest request) {
        // A concurrent change broke a reference (a role deleted while being assigned, or assigned while being
        // deleted); the transaction was rolled back. The database message may quote the row: not repeated.
        return respond(
                ProblemDetail.forStatusAndDetail(
                        HttpStatus.CONFLICT, "A concurrent change conflicts with this one; nothing was changed."),
                "admin.conflict",
                new HttpHeaders(),
                request);
    }

    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<Object> unexpected(RuntimeException e, WebRequest request) {
        if (DatabaseUnavailable.causes(e)) {
            // Not the request's fault and not a bug: retry once the database is back (auth-server/README.md).
            LOG.warn(
                    "admin request failed: database unavailable ({})",
                    e.getClass().getName());
            HttpHeaders headers = new HttpHeaders();
            headers.set(HttpHeaders.RETRY_AFTER, Integer.toString(DatabaseUnavailable.RETRY_AFTER_SECONDS));
            return respond(
                    ProblemDetail.forStatusAndDetail(
                            HttpStatus.SERVICE_UNAVAILABLE, "The database is unavailable; retry shortly."),
                    "admin.unavailable",
                    headers,
                    request);
        }
        // The message may quote stored data; the type is enough to start looking.
        LOG.error("admin request failed: {}", e.getClass().getName());
        return respond(
                ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, "The request failed."),
                "admin.internal_error",
                new HttpHeaders(),
                request);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception ex, @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail p ? p : ProblemDetail.forStatus(status);
        String code = "admin.bad_request";
        if (ex instanceof MethodArgumentNotValidException invalid) {
            List<Map<String, String>> errors = new ArrayList<>();
            for (FieldError f : invalid.getBindingResult().getFieldErrors()) {
                errors.add(error(f.getField(), f.getCode(), f.getDefaultMessage()));
            }
            invalid.getBindingResult()
                    .getGlobalErrors()
                    .forEach(g -> errors.add(error(g.getObjectName(), g.getCode(), g.getDefaultMessage())));
            problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request has invalid fields.");
            problem.setProperty("errors", errors);
            code = "admin.invalid_fields";
        } else if (ex instanceof HandlerMethodValidationException invalid) {
            List<Map<String, String>> errors = new ArrayList<>();
            invalid.getParameterValidationResults()
                    .forEach(r -> r.getResolvableErrors()
                            .forEach(e -> errors.add(error(
                                    r.getMethodParameter().getParameterName(),
                                    e.getCodes() == null || e.getCodes().length == 0
                                            ? null
                                            : e.getCodes()[e.getCodes().length - 1],
                                    e.getDefaultMessage()))));
            problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request has invalid parameters.");
            problem.setProperty("errors", errors);
            code = "admin.invalid_parameters";
        } else if (ex instanceof HttpMessageNotReadableException unreadable) {
            problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, unreadable(unreadable));
            code = duplicateField(unreadable) ? "admin.duplicate_field" : "admin.unreadable_body";
        } else if (ex instanceof TypeMismatchException mismatch) {
            problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.BAD_REQUEST,
                    "Parameter '" + safe(mismatch.getPropertyName()) + "' has the wrong type"
                            + (mismatch.getRequiredType() == null
                                    ? "."
                                    : "; expected " + mismatch.getRequiredType().getSimpleName() + "."));
            code = "admin.invalid_parameters";
        } else if (status.value() == 404) {
            code = "admin.not_found";
        } else if (status.value() == 405) {
            code = "admin.method_not_allowed";
        } else if (status.value() == 415) {
            code = "admin.unsupported_media_type";
        } else if (status.value() >= 500) {
            code = "admin.internal_error";
        }
        return respond(problem, code, headers, request);
    }

    private ResponseEntity<Object> respond(
            ProblemDetail problem, String code, HttpHeaders headers, WebRequest request) {
        problem.setType(URI.create(TYPE_PREFIX + code));
        problem.setProperty("code", code);
        HttpStatus status = HttpStatus.resolve(problem.getStatus());
        if (problem.getTitle() == null && status != null) {
            problem.setTitle(status.getReasonPhrase());
        }
        if (request instanceof ServletWebRequest servlet) {
            HttpServletRequest http = servlet.getRequest();
            problem.setInstance(URI.create(http.getRequestURI()));
        }
        request.setAttribute(AdminAuditInterceptor.PROBLEM, code, RequestAttributes.SCOPE_REQUEST);
        HttpHeaders out = new HttpHeaders();
        out.putAll(headers);
        // Preset, so content negotiation does not fall back to application/json (RFC 9457 §3).
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        out.setCacheControl("no-store");
        return new ResponseEntity<>(problem, out, problem.getStatus());
    }

    /** A sentence about an unreadable body that names fields but never quotes values. */
    /**
     * Whether the body named a member twice (refused by {@link StrictAdminJsonConverter}). Jackson reports it as a
     * {@link StreamReadException} with this fixed message prefix and no type of its own.
     */
    private static boolean duplicateField(HttpMessageNotReadableException e) {
        return e.getCause() instanceof StreamReadException read
                && read.getOriginalMessage() != null
                && read.getOriginalMessage().startsWith(StrictAdminJsonConverter.DUPLICATE);
    }

    private static String unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        if (duplicateField(e)) {
            return "A field appears more than once in an object; each field may appear only once.";
        }
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return "Unknown field '" + safe(unknown.getPropertyName()) + "'; this request accepts only documented"
                    + " fields.";
        }
        if (cause instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JacksonException.Reference r : jackson.getPath()) {
                if (r.getPropertyName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(safe(r.getPropertyName()));
                } else if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                }
            }
            return "Field '" + path + "' has the wrong type or form.";
        }
        if (cause == null) {
            return "A JSON request body is required.";
        }
        return "The request body is not valid JSON.";
    }

    private static Map<String, String> error(@Nullable String field, @Nullable String code, @Nullable String message) {
        return Map.of(
                "field", field == null ? "" : safe(field),
                "code", code == null ? "invalid" : code,
                "message", message == null ? "is invalid" : message);
    }

    /** Names from the request, bounded and printable. */
    private static String safe(@Nullable String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("[^\\x20-\\x7E]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}
