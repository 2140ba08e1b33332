package dev.gatehouse.server.signin;

import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2UserCode;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Gatehouse's consent page, at the URI given to Spring Authorization Server's {@code consentPage} hook. Spring
 * Authorization Server redirects here with {@code client_id}, {@code scope} and its consent {@code state}; the page
 * posts back to {@code /oauth2/authorize} with {@code client_id}, {@code state} and the approved {@code scope}s, and
 * its Cancel form posts {@code client_id} and {@code state} alone, which Spring Authorization Server answers with
 * {@code access_denied} at the client's redirect URI when nothing was granted before.
 *
 * <p>What the page shows comes from the authorization Spring Authorization Server stored under that {@code state},
 * not from the query: the client's name, the requested scopes (those not yet granted as checkboxes, those already
 * granted as a list; {@code openid} needs no consent), the redirect URI's host and the signed-in user. The stored
 * authorization must belong to the signed-in user and the named client, or the page answers 400 and echoes nothing.
 * Every untrusted value (client name, scope names, user name, redirect host, client id) reaches the template raw and
 * is written by Thymeleaf's context-aware escaping ({@code th:text}, {@code th:value}); no HTML is assembled here.
 *
 * <p>The same page serves the device authorization grant (RFC 8628 §3.3): Spring Authorization Server's device
 * verification endpoint redirects here with {@code user_code} as well, and the page then posts back to {@code
 * /oauth2/device_verification}. Instead of a redirect host it shows the user code, so the user can check it is the
 * one on their own device (RFC 8628 §5.4, remote phishing); the stored authorization must carry that user code.
 */
@Controller
public final class ConsentController {

    /** The consent page's path, given to Spring Authorization Server. */
    public static final String CONSENT_PAGE = "/oauth2/consent";

    /** Where the authorization code flow's consent is posted. */
    static final String AUTHORIZE = "/oauth2/authorize";

    /** Where the device flow's consent is posted (RFC 8628 §3.3). */
    static final String DEVICE_VERIFICATION = "/oauth2/device_verification";

    private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);
    private static final int MAX_PARAMETER_LENGTH = 200;

    private final RegisteredClientRepository clients;
    private final OAuth2AuthorizationService authorizations;
    private final OAuth2AuthorizationConsentService consents;

    /**
     * Creates the controller.
     *
     * @param clients the registered clients
     * @param authorizations where Spring Authorization Server keeps the authorization awaiting consent
     * @param consents the consents already given
     */
    public ConsentController(
            RegisteredClientRepository clients,
            OAuth2AuthorizationService authorizations,
            OAuth2AuthorizationConsentService consents) {
        this.clients = Objects.requireNonNull(clients, "clients must not be null");
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.consents = Objects.requireNonNull(consents, "consents must not be null");
    }

    /** The consent page. */
    @GetMapping(CONSENT_PAGE)
    String consent(
            Authentication user,
            @RequestParam(name = OAuth2ParameterNames.CLIENT_ID, defaultValue = "") String clientId,
            @RequestParam(name = OAuth2ParameterNames.STATE, defaultValue = "") String state,
            @RequestParam(name = OAuth2ParameterNames.USER_CODE, defaultValue = "") String userCode,
            Model model,
            HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
        @Nullable Pending pending = pending(user, clientId, state, userCode);
        if (pending == null) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return "consent-invalid";
        }
        RegisteredClient client = pending.client();
        @Nullable OAuth2AuthorizationConsent current = consents.findById(client.getId(), user.getName());
        Set<String> granted = current == null ? Set.of() : current.getScopes();
        List<ScopeView> asked = new ArrayList<>();
        List<ScopeView> already = new ArrayList<>();
        int i = 0;
        for (String scope : new TreeSet<>(pending.scopes())) {
            if (OidcScopes.OPENID.equals(scope)) {
                continue;
            }
            ScopeView view = ScopeView.of(scope, "scope-" + i++);
            (granted.contains(scope) ? already : asked).add(view);
        }
        model.addAttribute("client", client.getClientName());
        model.addAttribute("user", user.getName());
        model.addAttribute("clientId", client.getClientId());
        model.addAttribute("state", state);
        if (pending.userCode() != null) {
            model.addAttribute("device", true);
            model.addAttribute("action", DEVICE_VERIFICATION);
            model.addAttribute("userCode", pending.userCode());
        } else {
            model.addAttribute("device", false);
            model.addAttribute("action", AUTHORIZE);
            @Nullable String host = host(pending.redirectUri());
            if (host != null) {
                model.addAttribute("host", host);
            }
        }
        model.addAttribute("asked", asked);
        model.addAttribute("granted", already);
        return "consent";
    }

    private @Nullable Pending pending(Authentication user, String clientId, String state, String userCode) {
        if (clientId.isEmpty()
                || state.isEmpty()
                || clientId.length() > MAX_PARAMETER_LENGTH
                || state.length() > MAX_PARAMETER_LENGTH
                || userCode.length() > MAX_PARAMETER_LENGTH) {
            return null;
        }
        @Nullable OAuth2Authorization authorization = authorizations.findByToken(state, STATE);
        @Nullable RegisteredClient client = clients.findByClientId(clientId);
        if (authorization == null
                || client == null
                || !client.getId().equals(authorization.getRegisteredClientId())
                || !user.getName().equals(authorization.getPrincipalName())) {
            return null;
        }
        if (!userCode.isEmpty()) {
            // RFC 8628: the authorization awaiting this user's consent must be the one for the code they entered.
            OAuth2Authorization.@Nullable Token<OAuth2UserCode> stored = authorization.getToken(OAuth2UserCode.class);
            @Nullable Set<String> scopes = authorization.getAttribute(OAuth2ParameterNames.SCOPE);
            if (stored == null
                    || scopes == null
                    || !MessageDigest.isEqual(
                            stored.getToken().getTokenValue().getBytes(StandardCharsets.UTF_8),
                            userCode.getBytes(StandardCharsets.UTF_8))) {
                return null;
            }
            return new Pending(client, Set.copyOf(scopes), "", userCode);
        }
        @Nullable
        OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
        if (request == null) {
            return null;
        }
        String redirectUri = request.getRedirectUri() != null
                ? request.getRedirectUri()
                : client.getRedirectUris().iterator().next();
        return new Pending(client, request.getScopes(), redirectUri, null);
    }

    /**
     * Where the browser returns: host and port, or the scheme of a private-use URI (RFC 8252 §7.1); {@code null} when
     * neither can be told (the page then says "an unknown address" in its language).
     */
    static @Nullable String host(String redirectUri) {
        try {
            URI uri = URI.create(redirectUri);
            if (uri.getHost() != null) {
                return uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            }
            return uri.getScheme() != null ? uri.getScheme() + ":" : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private record Pending(
            RegisteredClient client,
            Set<String> scopes,
            String redirectUri,
            @Nullable String userCode) {}

    /**
     * One scope as the page shows it. Raw values: the template writes each through Thymeleaf's escaping for its
     * context ({@code th:text}, {@code th:value}). What the scope allows, in words, is the message
     * {@code consent.scope.<name>} of the {@code pages} bundles in the page's language, or
     * {@code consent.scope.unknown} for a scope without one.
     *
     * @param name the scope name
     * @param id the checkbox's element id (generated, not from the request)
     */
    public record ScopeView(String name, String id) {

        static ScopeView of(String scope, String id) {
            return new ScopeView(scope, id);
        }
    }
}
