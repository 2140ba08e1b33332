package dev.gatehouse.server.admin;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.http.HttpStatus;

/**
 * The one exception of the admin API: an HTTP status, a machine-readable code (e.g. {@code admin.user.exists}) and a
 * sentence saying what was wrong. Rendered as an RFC 9457 problem by {@link AdminExceptionHandler}. Messages never
 * contain a password, secret, hash or token.
 */
public final class AdminException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final HttpStatus status;
    private final String code;
    private final transient List<Map<String, String>> errors;

    AdminException(HttpStatus status, String code, String detail) {
        this(status, code, detail, List.of());
    }

    AdminException(HttpStatus status, String code, String detail, List<Map<String, String>> errors) {
        super(Objects.requireNonNull(detail, "detail must not be null"));
        this.status = Objects.requireNonNull(status, "status must not be null");
        this.code = Objects.requireNonNull(code, "code must not be null");
        this.errors = List.copyOf(errors);
    }

    static AdminException notFound(String what) {
        return new AdminException(HttpStatus.NOT_FOUND, "admin.not_found", what + " does not exist.");
    }

    static AdminException conflict(String code, String detail) {
        return new AdminException(HttpStatus.CONFLICT, code, detail);
    }

    static AdminException badRequest(String code, String detail) {
        return new AdminException(HttpStatus.BAD_REQUEST, code, detail);
    }

    static AdminException invalidField(String field, String code, String message) {
        return new AdminException(
                HttpStatus.BAD_REQUEST,
                code,
                "The request has invalid fields.",
                List.of(Map.of("field", field, "code", code, "message", message)));
    }

    /**
     * The HTTP status.
     *
     * @return the status
     */
    public HttpStatus status() {
        return status;
    }

    /**
     * The machine-readable code.
     *
     * @return e.g. {@code admin.user.exists}
     */
    public String code() {
        return code;
    }

    /**
     * Field errors, each with {@code field}, {@code code} and {@code message}.
     *
     * @return the errors, possibly empty
     */
    public List<Map<String, String>> errors() {
        return errors;
    }
}
