package dev.gatehouse.server.dynamicclients;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.OAuth2ClientRegistration;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientRegistrationAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.http.converter.OAuth2ClientRegistrationHttpMessageConverter;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Reads a registration request (RFC 7591 §3.1) for Spring Authorization Server's registration endpoint, in place of
 * its converter: the JSON body is read up to the policy's size only, and the bearer token (the initial access token,
 * RFC 7591 §3) is taken from where {@code AccessTokensOnlyAtUserInfo} kept it, since it is no access token of this
 * server and must not reach the resource server.
 */
final class RegistrationRequests implements AuthenticationConverter {

    private final OAuth2ClientRegistrationHttpMessageConverter json =
            new OAuth2ClientRegistrationHttpMessageConverter();
    private final int maxBodyBytes;
    private final AuditLog audit;

    RegistrationRequests(int maxBodyBytes, AuditLog audit) {
        this.maxBodyBytes = maxBodyBytes;
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
    }

    /** A presented bearer token, not verified yet. */
    static final class PresentedToken extends AbstractAuthenticationToken {

        private final String token;

        PresentedToken(String token) {
            super(java.util.List.of());
            this.token = token;
        }

        @Override
        public Object getCredentials() {
            return token;
        }

        @Override
        public Object getPrincipal() {
            return "initial-access-token";
        }

        String token() {
            return token;
        }

        @Override
        public String toString() {
            return "PresentedToken";
        }
    }

    @Override
    public Authentication convert(HttpServletRequest request) {
        OAuth2ClientRegistration registration;
        try {
            registration = read(request, maxBodyBytes, json);
        } catch (OAuth2AuthenticationException e) {
            // Refused before RegistrationProvider runs: audited here.
            Map<String, String> details = new LinkedHashMap<>();
            details.put("error", e.getError().getErrorCode());
            details.put("reason", String.valueOf(e.getError().getDescription()));
            details.put("address", String.valueOf(request.getRemoteAddr()));
            audit.record(new AuditEvent(AuditEvents.CLIENT_REGISTER, AuditEvent.DENIED, null, null, details));
            throw e;
        }
        String token = bearer(request);
        OAuth2ClientRegistrationAuthenticationToken authentication = new OAuth2ClientRegistrationAuthenticationToken(
                token == null ? null : new PresentedToken(token), registration);
        authentication.setDetails(request.getRemoteAddr());
        return authentication;
    }

    /** The request body as client metadata, at most {@code maxBodyBytes}. */
    static OAuth2ClientRegistration read(
            HttpServletRequest request, int maxBodyBytes, OAuth2ClientRegistrationHttpMessageConverter json) {
        String type = request.getContentType();
        MediaType mediaType;
        try {
            mediaType = type == null ? null : MediaType.parseMediaType(type);
        } catch (InvalidMediaTypeException e) {
            mediaType = null; // a malformed Content-Type is the client's error, not the server's
        }
        if (mediaType == null || !MediaType.APPLICATION_JSON.isCompatibleWith(mediaType)) {
            throw invalidRequest("the body must be application/json (RFC 7591 §3.1)");
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(maxBodyBytes + 1);
        } catch (IOException e) {
            throw invalidRequest("the body could not be read");
        }
        if (body.length > maxBodyBytes) {
            throw invalidRequest("the body is larger than " + maxBodyBytes + " bytes");
        }
        try {
            HttpHeaders headers = new HttpHeaders();
            headers.setContentType(MediaType.APPLICATION_JSON);
            return json.read(OAuth2ClientRegistration.class, new HttpInputMessage() {
                @Override
                public InputStream getBody() {
                    return new ByteArrayInputStream(body);
                }

                @Override
                public HttpHeaders getHeaders() {
                    return headers;
                }
            });
        } catch (RuntimeException | IOException e) {
            // Nothing of the body echoed back.
            throw RegistrationPolicy.error(
                    RegistrationPolicy.INVALID_CLIENT_METADATA, "the body is not client metadata (RFC 7591 §2)");
        }
    }

    /** The bearer token (RFC 6750 §2.1) kept aside for the registration endpoints, or {@code null}. */
    static @Nullable String bearer(HttpServletRequest request) {
        Object kept = request.getAttribute(DynamicRegistration.AUTHORIZATION_ATTRIBUTE);
        if (!(kept instanceof String value)) {
            return null;
        }
        String v = value.strip();
        if (v.length() > 7 && v.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            String token = v.substring(7).strip();
            return token.isEmpty() || token.length() > 512 ? null : token;
        }
        return null;
    }

    private static OAuth2AuthenticationException invalidRequest(String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(
                OAuth2ErrorCodes.INVALID_REQUEST,
                description,
                "https://datatracker.ietf.org/doc/html/rfc7591#section-3.2.2"));
    }
}
