package dev.gatehouse.server.audit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * The outermost decorator of the {@link OAuth2AuthorizationService}: after a successful save it keeps the saved
 * authorization in the current request's attributes (memory only, for the rest of the request), so that the audit
 * listener can tell, when the token or revocation endpoint reports success, which principal, authorization and
 * {@code jti} it concerned without another database read; and it notes when an already-exchanged authorization code
 * is looked up, so a refused token request can be audited as the code replay it is. It never logs or stores anything
 * itself.
 */
public final class AuditingAuthorizationService implements OAuth2AuthorizationService {

    private static final String SAVED = AuditingAuthorizationService.class.getName() + ".saved";
    private static final String USED_CODE = AuditingAuthorizationService.class.getName() + ".usedCode";

    private final OAuth2AuthorizationService delegate;

    /**
     * Creates the decorator.
     *
     * @param delegate the authorization store (with its own decorators, such as refresh-token reuse detection)
     */
    public AuditingAuthorizationService(OAuth2AuthorizationService delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    @Override
    public void save(OAuth2Authorization authorization) {
        delegate.save(authorization);
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request != null) {
            request.setAttribute(SAVED, authorization, RequestAttributes.SCOPE_REQUEST);
        }
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        delegate.remove(authorization);
    }

    @Override
    public @Nullable OAuth2Authorization findById(String id) {
        return delegate.findById(id);
    }

    @Override
    public @Nullable OAuth2Authorization findByToken(String token, @Nullable OAuth2TokenType tokenType) {
        OAuth2Authorization found = delegate.findByToken(token, tokenType);
        if (found != null && OAuth2ParameterNames.CODE.equals(tokenType == null ? null : tokenType.getValue())) {
            OAuth2Authorization.Token<OAuth2AuthorizationCode> code = found.getToken(OAuth2AuthorizationCode.class);
            RequestAttributes request = RequestContextHolder.getRequestAttributes();
            // An invalidated code was exchanged before: presenting it again is a replay (RFC 6749 §4.1.2).
            if (code != null && code.isInvalidated() && request != null) {
                request.setAttribute(USED_CODE, found, RequestAttributes.SCOPE_REQUEST);
            }
        }
        return found;
    }

    /**
     * The authorization whose already-exchanged code was looked up during the current request, if any: the token
     * request that failed with {@code invalid_grant} was a code replay.
     *
     * @return the authorization or {@code null}
     */
    static @Nullable OAuth2Authorization replayedCode() {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        return request != null
                        && request.getAttribute(USED_CODE, RequestAttributes.SCOPE_REQUEST)
                                instanceof OAuth2Authorization a
                ? a
                : null;
    }

    /**
     * The authorization last saved during the current request, if any.
     *
     * @return the authorization or {@code null}
     */
    static @Nullable OAuth2Authorization lastSaved() {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        return request != null
                        && request.getAttribute(SAVED, RequestAttributes.SCOPE_REQUEST) instanceof OAuth2Authorization a
                ? a
                : null;
    }
}
