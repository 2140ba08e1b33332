package dev.gatehouse.server.audit;

import dev.gatehouse.server.users.PasswordAuthenticationProvider;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderNotFoundException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.event.AbstractAuthenticationEvent;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationGrantAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenRevocationAuthenticationToken;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Turns Spring Security's authentication events into audit events: the sign-in form (success, failure, lockout),
 * token issue and refresh at the token endpoint, revocation at {@code /oauth2/revoke}, refused token requests and
 * failed client authentication. Only names and identifiers are taken (username tried, client id, grant type, scope,
 * {@code jti}, error code, address), never an {@link Authentication}'s credentials, a token value or a code.
 * A failure here is logged and swallowed: auditing never turns the action it records into an error.
 */
final class SecurityAuditListener implements ApplicationListener<AbstractAuthenticationEvent> {

    private static final Logger log = LoggerFactory.getLogger(SecurityAuditListener.class);

    private final AuditLog audit;

    SecurityAuditListener(AuditLog audit) {
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
    }

    @Override
    public void onApplicationEvent(AbstractAuthenticationEvent event) {
        try {
            if (event instanceof AuthenticationSuccessEvent) {
                succeeded(event.getAuthentication());
            } else if (event instanceof AbstractAuthenticationFailureEvent failure) {
                failed(failure.getAuthentication(), failure.getException());
            }
        } catch (RuntimeException e) {
            log.warn(
                    "could not audit {}: {}",
                    event.getClass().getSimpleName(),
                    e.getClass().getName());
        }
    }

    private void succeeded(Authentication a) {
        if (a instanceof UsernamePasswordAuthenticationToken) {
            Map<String, String> details = new LinkedHashMap<>();
            put(details, "address", address(a));
            details.put("factor", "password");
            audit.record(new AuditEvent(AuditEvents.SIGNIN_SUCCESS, AuditEvent.SUCCESS, a.getName(), null, details));
        } else if (a instanceof OAuth2AccessTokenAuthenticationToken issued) {
            tokenIssued(issued);
        } else if (a instanceof OAuth2TokenRevocationAuthenticationToken revoked) {
            tokenRevoked(revoked);
        }
    }

    private void failed(Authentication a, Exception e) {
        if (e instanceof ProviderNotFoundException) {
            // A parent manager with no provider for this token type reports this next to the real failure.
            return;
        }
        if (a instanceof UsernamePasswordAuthenticationToken) {
            Map<String, String> details = new LinkedHashMap<>();
            put(details, "address", address(a));
            String type = AuditEvents.SIGNIN_FAILURE;
            if (e instanceof PasswordAuthenticationProvider.Throttled throttled) {
                details.put("reason", throttled.lockedOut() ? "locked_out" : "throttled");
                details.put("retry_after_s", Long.toString(throttled.retryAfterSeconds()));
                if (throttled.lockedOut()) {
                    type = AuditEvents.SIGNIN_LOCKED;
                }
            } else {
                details.put("reason", e instanceof BadCredentialsException ? "bad_credentials" : reason(e));
            }
            String outcome = type.equals(AuditEvents.SIGNIN_LOCKED) || "throttled".equals(details.get("reason"))
                    ? AuditEvent.DENIED
                    : AuditEvent.FAILURE;
            // The name as typed: the operator's record of what was tried (an unknown name reveals no more here).
            audit.record(new AuditEvent(type, outcome, a.getName(), null, details));
        } else if (a instanceof OAuth2ClientAuthenticationToken client && isGrantError(e, client)) {
            // Client authentication with PKCE looks the code up first (Spring Authorization Server's
            // CodeVerifierAuthenticator) and reports an unknown code or a wrong code_verifier as invalid_grant from
            // there: a refused grant (RFC 6749 §5.2), not a failed client authentication.
            String clientId = String.valueOf(client.getPrincipal());
            grantRefused(a, e, clientId, AuthorizationGrantType.AUTHORIZATION_CODE.getValue());
        } else if (a instanceof OAuth2ClientAuthenticationToken client) {
            Map<String, String> details = new LinkedHashMap<>();
            put(details, "address", address(a));
            put(details, "method", client.getClientAuthenticationMethod().getValue());
            details.put("error", reason(e));
            audit.record(new AuditEvent(
                    AuditEvents.CLIENT_AUTH_FAILURE,
                    AuditEvent.FAILURE,
                    String.valueOf(client.getPrincipal()),
                    null,
                    details));
        } else if (a instanceof OAuth2AuthorizationGrantAuthenticationToken grant) {
            grantRefused(
                    a, e, clientId(grant.getPrincipal()), grant.getGrantType().getValue());
        }
    }

    /**
     * A refused token request: {@code token.code_replay} when an already-exchanged authorization code was presented
     * (RFC 6749 §4.1.2 / §10.5: the code is single-use; Spring Authorization Server revokes what it issued), else
     * {@code token.failure}.
     */
    private void grantRefused(Authentication a, Exception e, @Nullable String clientId, String grantType) {
        Map<String, String> details = new LinkedHashMap<>();
        put(details, "client_id", clientId);
        details.put("grant_type", grantType);
        details.put("error", reason(e));
        OAuth2Authorization replayed = AuditingAuthorizationService.replayedCode();
        if (replayed != null
                && AuthorizationGrantType.AUTHORIZATION_CODE.getValue().equals(grantType)
                && OAuth2ErrorCodes.INVALID_GRANT.equals(details.get("error"))) {
            details.put("authorization_id", replayed.getId());
            put(details, "address", address(a));
            audit.record(new AuditEvent(
                    AuditEvents.TOKEN_CODE_REPLAY, AuditEvent.DENIED, clientId, replayed.getPrincipalName(), details));
            return;
        }
        put(details, "address", address(a));
        audit.record(new AuditEvent(AuditEvents.TOKEN_FAILURE, AuditEvent.FAILURE, clientId, null, details));
    }

    /** An {@code invalid_grant} raised while authenticating the client of an authorization-code token request. */
    private static boolean isGrantError(Exception e, OAuth2ClientAuthenticationToken client) {
        return e instanceof OAuth2AuthenticationException oauth
                && OAuth2ErrorCodes.INVALID_GRANT.equals(oauth.getError().getErrorCode())
                && AuthorizationGrantType.AUTHORIZATION_CODE
                        .getValue()
                        .equals(client.getAdditionalParameters().get(OAuth2ParameterNames.GRANT_TYPE));
    }

    private void tokenIssued(OAuth2AccessTokenAuthenticationToken issued) {
        String clientId = issued.getRegisteredClient().getClientId();
        String grantType = parameter("grant_type");
        OAuth2AccessToken accessToken = issued.getAccessToken();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("client_id", clientId);
        put(details, "grant_type", grantType);
        if (!accessToken.getScopes().isEmpty()) {
            details.put("scope", String.join(" ", new java.util.TreeSet<>(accessToken.getScopes())));
        }
        details.put("token_type", accessToken.getTokenType().getValue());
        details.put("refresh_token", issued.getRefreshToken() != null ? "issued" : "none");
        details.put("id_token", issued.getAdditionalParameters().containsKey("id_token") ? "issued" : "none");
        put(details, "address", address(issued));
        String principal = null;
        OAuth2Authorization saved = AuditingAuthorizationService.lastSaved();
        // Compared in memory only, to find this token's authorization; the value is never recorded.
        if (saved != null
                && saved.getAccessToken() != null
                && saved.getAccessToken().getToken().getTokenValue().equals(accessToken.getTokenValue())) {
            principal = saved.getPrincipalName();
            details.put("authorization_id", saved.getId());
            put(details, "jti", jti(saved.getAccessToken()));
        }
        String type = "refresh_token".equals(grantType) ? AuditEvents.TOKEN_REFRESH : AuditEvents.TOKEN_ISSUE;
        audit.record(new AuditEvent(type, AuditEvent.SUCCESS, clientId, principal, details));
    }

    private void tokenRevoked(OAuth2TokenRevocationAuthenticationToken revoked) {
        String clientId = clientId(revoked.getPrincipal());
        Map<String, String> details = new LinkedHashMap<>();
        put(details, "client_id", clientId);
        details.put("reason", "client_request");
        put(details, "token_type_hint", revoked.getTokenTypeHint());
        put(details, "address", address(revoked));
        String principal = null;
        OAuth2Authorization saved = AuditingAuthorizationService.lastSaved();
        OAuth2Authorization.Token<?> token = saved == null ? null : saved.getToken(revoked.getToken());
        if (saved != null && token != null) {
            principal = saved.getPrincipalName();
            details.put("known", "true");
            details.put("authorization_id", saved.getId());
            boolean access = token.getToken() instanceof OAuth2AccessToken;
            details.put("token_type", access ? "access_token" : "refresh_token");
            // Revoking a refresh token revokes its access token too: name that one's jti either way.
            put(details, "jti", saved.getAccessToken() == null ? null : jti(saved.getAccessToken()));
        } else {
            // RFC 7009 §2.2: unknown tokens are answered 200 all the same.
            details.put("known", "false");
        }
        audit.record(new AuditEvent(AuditEvents.TOKEN_REVOKE, AuditEvent.SUCCESS, clientId, principal, details));
    }

    private static @Nullable String jti(OAuth2Authorization.Token<?> token) {
        Map<String, Object> claims = token.getClaims();
        Object jti = claims == null ? null : claims.get("jti");
        return jti == null ? null : jti.toString();
    }

    private static @Nullable String clientId(@Nullable Object principal) {
        if (principal instanceof OAuth2ClientAuthenticationToken client) {
            return client.getRegisteredClient() != null
                    ? client.getRegisteredClient().getClientId()
                    : String.valueOf(client.getPrincipal());
        }
        return null;
    }

    /** A machine-readable reason: the OAuth 2 error code, else the exception's simple class name. */
    private static String reason(Exception e) {
        if (e instanceof OAuth2AuthenticationException oauth) {
            return oauth.getError().getErrorCode();
        }
        return e.getClass().getSimpleName();
    }

    private static @Nullable String address(Authentication a) {
        if (a.getDetails() instanceof WebAuthenticationDetails web && web.getRemoteAddress() != null) {
            return web.getRemoteAddress();
        }
        HttpServletRequest request = request();
        return request == null ? null : request.getRemoteAddr();
    }

    private static @Nullable String parameter(String name) {
        HttpServletRequest request = request();
        return request == null ? null : request.getParameter(name);
    }

    private static @Nullable HttpServletRequest request() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes servlet
                ? servlet.getRequest()
                : null;
    }

    private static void put(Map<String, String> details, String key, @Nullable String value) {
        if (value != null) {
            details.put(key, value);
        }
    }
}
