package dev.gatehouse.server.tokens;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationGrantAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenContext;

/**
 * Resource indicators (RFC 8707), which Spring Authorization Server 7.0.6 does not implement (its token exchange
 * parses {@code resource} and ignores it). Each client has an allow-list of resources it may request tokens for, the
 * client setting {@link #RESOURCES_SETTING} (a list of absolute URIs, matched by exact string comparison, RFC 3986
 * §6.2.1). Where a {@code resource} parameter (repeatable, RFC 8707 §2) is refused, the error is {@code
 * invalid_target} (RFC 8707 §2):
 *
 * <ul>
 *   <li>authorization and pushed authorization requests: each value an absolute URI without a fragment, in the
 *       allow-list ({@link #refusal}, checked by the authorization-request validators). The request, with its
 *       {@code resource} values, is kept in the authorization's attributes: those are the granted resources.
 *   <li>token endpoint ({@link #audience}, run by the access-token customizers before anything is saved): with the
 *       authorization code and refresh token grants, a subset of the granted resources that are still in the
 *       allow-list (none requested: all of them; RFC 8707 §2.2: a refresh can narrow, never widen); with client
 *       credentials and token exchange, a subset of the allow-list; with any other grant, none. The access token's
 *       {@code aud} is then exactly those resources (RFC 8707 §2.2). ID tokens keep {@code aud = client_id} (OIDC
 *       Core §2).
 *   <li>no {@code resource} anywhere: nothing changes ({@code aud} is the client id, as before).
 * </ul>
 *
 * Descriptions never echo the refused value.
 */
public final class ResourceIndicators {

    /**
     * Client setting ({@code ClientSettings.setting}, a {@code List<String>} of absolute URIs): the resources the
     * client may request tokens for (RFC 8707). None unless set.
     */
    public static final String RESOURCES_SETTING = "settings.client.gatehouse.resources";

    /** The request parameter (RFC 8707 §2). */
    public static final String RESOURCE = "resource";

    /** The error code (RFC 8707 §2). */
    public static final String INVALID_TARGET = "invalid_target";

    /** At most this many {@code resource} values per request, and per client's allow-list. */
    public static final int MAX_RESOURCES = 20;

    /** At most this many characters per resource URI. */
    public static final int MAX_LENGTH = 2000;

    /** The RFC section errors point to. */
    public static final String ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc8707#section-2";

    private ResourceIndicators() {}

    /**
     * The values of a {@code resource} parameter as Spring Authorization Server keeps them ({@code String} once,
     * {@code String[]} repeated, a collection after storage), in order and without duplicates. Anything that is not
     * a string becomes an empty string, which {@link #refusal} refuses.
     *
     * @param parameter the parameter's value, if any
     * @return the values, empty when absent
     */
    public static List<String> values(@Nullable Object parameter) {
        if (parameter == null) {
            return List.of();
        }
        Collection<?> raw;
        if (parameter instanceof Object[] array) {
            raw = List.of(array);
        } else if (parameter instanceof Collection<?> collection) {
            raw = collection;
        } else {
            raw = List.of(parameter);
        }
        Set<String> out = new LinkedHashSet<>();
        for (Object o : raw) {
            out.add(o instanceof String s ? s : "");
        }
        return List.copyOf(out);
    }

    /**
     * The client's allow-list ({@link #RESOURCES_SETTING}); empty when unset or not a list of strings.
     *
     * @param client the registered client
     * @return the resources it may request
     */
    public static List<String> allowed(RegisteredClient client) {
        Object setting = client.getClientSettings().getSetting(RESOURCES_SETTING);
        if (!(setting instanceof Collection<?> list)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (o instanceof String s) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Why requested resources are refused (RFC 8707 §2), or empty when each is an absolute URI without a fragment
     * and among the permitted ones. The reason never contains the value.
     *
     * @param requested the requested resources
     * @param permitted the resources the request may name
     * @return the reason, for an {@code invalid_target} error
     */
    public static Optional<String> refusal(List<String> requested, Collection<String> permitted) {
        if (requested.size() > MAX_RESOURCES) {
            return Optional.of("At most " + MAX_RESOURCES + " resource values are accepted.");
        }
        for (String r : requested) {
            if (!absoluteWithoutFragment(r)) {
                return Optional.of("Each resource must be an absolute URI without a fragment (RFC 8707 §2).");
            }
            if (!permitted.contains(r)) {
                return Optional.of("A requested resource is not one this client may obtain tokens for.");
            }
        }
        return Optional.empty();
    }

    /**
     * Why a URI may not be in a client's allow-list, or empty: absolute with a host, no fragment (RFC 8707 §2), no
     * user information or wildcard, {@code https}, or {@code http} on a loopback host ({@code localhost}, {@code
     * 127.0.0.1}, {@code [::1]}) for development resource servers. The reason never contains the value.
     *
     * @param value the candidate
     * @return the reason, or empty if it may be registered
     */
    public static Optional<String> registrationProblem(String value) {
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            return Optional.of("must be 1 to " + MAX_LENGTH + " characters");
        }
        if (value.indexOf('#') >= 0) {
            return Optional.of("must not contain a fragment (RFC 8707 §2)");
        }
        if (value.indexOf('*') >= 0) {
            return Optional.of("must not contain a wildcard '*': resources are matched exactly");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.of("is not a valid URI (RFC 3986)");
        }
        if (!uri.isAbsolute()
                || uri.isOpaque()
                || uri.getHost() == null
                || uri.getHost().isEmpty()) {
            return Optional.of("must be an absolute URI with a host (RFC 8707 §2)");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not contain user information");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return Optional.empty();
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"))) {
            return Optional.empty();
        }
        return Optional.of("must use https (or http on a loopback host)");
    }

    /**
     * The resources granted at the authorization endpoint: the {@code resource} values of the authorization request
     * kept with the authorization (validated there against the allow-list).
     *
     * @param authorization the authorization
     * @return the granted resources, empty when none were requested
     */
    public static List<String> granted(OAuth2Authorization authorization) {
        OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
        if (request == null) {
            return List.of();
        }
        return values(request.getAdditionalParameters().get(RESOURCE));
    }

    /**
     * The audience of an access token about to be issued (RFC 8707 §2.2), checked against what the client may have.
     *
     * @param context the token context
     * @return the resources for {@code aud}, or empty to keep the default ({@code aud = client_id})
     * @throws OAuth2AuthenticationException {@code invalid_target} when a requested resource is not permitted
     */
    public static List<String> audience(OAuth2TokenContext context) {
        if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
            return List.of(); // ID tokens: aud = client_id (OIDC Core §2)
        }
        Authentication grant = context.getAuthorizationGrant();
        List<String> requested;
        if (grant instanceof OAuth2TokenExchangeAuthenticationToken exchange) {
            requested = values(exchange.getResources());
        } else if (grant instanceof OAuth2AuthorizationGrantAuthenticationToken token) {
            requested = values(token.getAdditionalParameters().get(RESOURCE));
        } else {
            requested = List.of();
        }
        List<String> allowed = allowed(context.getRegisteredClient());
        AuthorizationGrantType type = context.getAuthorizationGrantType();
        List<String> permitted;
        if (AuthorizationGrantType.AUTHORIZATION_CODE.equals(type)
                || AuthorizationGrantType.REFRESH_TOKEN.equals(type)) {
            OAuth2Authorization authorization = context.getAuthorization();
            List<String> granted = authorization == null ? List.of() : granted(authorization);
            // Removed from the allow-list since: no longer granted (fail closed).
            permitted = granted.stream().filter(allowed::contains).toList();
            if (requested.isEmpty()) {
                if (granted.isEmpty()) {
                    return List.of();
                }
                if (permitted.isEmpty()) {
                    throw invalidTarget("The resources granted are no longer allowed for this client.");
                }
                return permitted;
            }
        } else if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(type)
                || AuthorizationGrantType.TOKEN_EXCHANGE.equals(type)) {
            permitted = allowed;
        } else {
            permitted = List.of();
        }
        if (requested.isEmpty()) {
            return List.of();
        }
        Optional<String> refusal = refusal(requested, permitted);
        if (refusal.isPresent()) {
            throw invalidTarget(refusal.get());
        }
        return requested;
    }

    /**
     * An {@code invalid_target} error (RFC 8707 §2).
     *
     * @param description what was wrong, without the refused value
     * @return the exception
     */
    public static OAuth2AuthenticationException invalidTarget(String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(INVALID_TARGET, description, ERROR_URI));
    }

    private static boolean absoluteWithoutFragment(String value) {
        if (value.isEmpty() || value.length() > MAX_LENGTH || value.indexOf('#') >= 0) {
            return false;
        }
        try {
            URI uri = new URI(value);
            return uri.isAbsolute() && uri.getRawFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
