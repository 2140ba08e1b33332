package dev.gatehouse.spring.autoconfigure;

import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * {@code WWW-Authenticate: Bearer} challenges of protected resources (RFC 6750 §3), the starter's ({@link
 * GatehouseProtectedResource}) and auth-server's own (UserInfo, the admin API, the actuator): no error code when
 * the request had no token (§3.1), otherwise the error, its description, the scope a {@code insufficient_scope}
 * needs, and where a metadata document is served, its URL ({@code resource_metadata}, RFC 9728 §5.1). Spring
 * Security 7's {@code BearerTokenAuthenticationEntryPoint} always adds a {@code resource_metadata} built from the
 * request's {@code Host} header, also for resources that serve no such document.
 */
public final class BearerChallenge {

    private BearerChallenge() {}

    /**
     * The challenge header value.
     *
     * @param error the error, or {@code null} when the request had no token
     * @param scope the scope the resource needs, for {@code insufficient_scope}; or {@code null}
     * @param resourceMetadata the resource's metadata URL (built from the issuer), or {@code null} when none is served
     * @return e.g. {@code Bearer error="invalid_token", error_description="..."}
     */
    public static String of(@Nullable OAuth2Error error, @Nullable String scope, @Nullable String resourceMetadata) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (error != null) {
            parameters.put("error", error.getErrorCode());
            if (error.getDescription() != null) {
                parameters.put("error_description", error.getDescription());
            }
            if (scope != null) {
                parameters.put("scope", scope);
            }
        }
        if (resourceMetadata != null) {
            parameters.put("resource_metadata", resourceMetadata);
        }
        StringBuilder challenge = new StringBuilder("Bearer");
        String separator = " ";
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            challenge
                    .append(separator)
                    .append(p.getKey())
                    .append("=\"")
                    .append(quoted(p.getValue()))
                    .append('"');
            separator = ", ";
        }
        return challenge.toString();
    }

    /**
     * An entry point for a resource without a metadata document: {@code 401} (or the bearer error's status) with
     * the challenge and no body.
     *
     * @return the entry point
     */
    public static AuthenticationEntryPoint entryPoint() {
        return (request, response, e) -> {
            OAuth2Error error = e instanceof OAuth2AuthenticationException oauth ? oauth.getError() : null;
            int status = error instanceof BearerTokenError bearer
                    ? bearer.getHttpStatus().value()
                    : HttpServletResponse.SC_UNAUTHORIZED;
            response.setStatus(status);
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, of(error, null, null));
        };
    }

    /** RFC 9110 §5.6.4 quoted-string content: printable ASCII without quotes or backslashes. */
    private static String quoted(String value) {
        return value.replaceAll("[^\\x20-\\x7E]|[\"\\\\]", "?");
    }
}
