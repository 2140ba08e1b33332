package dev.gatehouse.server.signin;

import dev.gatehouse.server.tokens.ResourceIndicators;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.PkceParameterNames;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Checks the OIDC parameters Spring Authorization Server leaves alone (OIDC Core 1.0 §3.1.2.1, §3.1.2.6), as its
 * authorization-request validator hook, always after its own redirect URI and scope checks (so an error is sent only
 * to a registered redirect URI):
 *
 * <ul>
 *   <li>an S256 {@code code_challenge} that is not 43 base64url characters (RFC 7636 §4.2): {@code invalid_request};
 *   <li>any parameter but {@code resource} sent more than once, such as {@code nonce}, {@code prompt}, {@code max_age}
 *       or {@code acr_values} (RFC 6749 §3.1): {@code invalid_request};
 *   <li>{@code max_age} that is not a non-negative integer: {@code invalid_request};
 *   <li>a {@code resource} that is not an absolute URI without a fragment, or not in the client's allow-list: {@code
 *       invalid_target} (RFC 8707 §2, {@link ResourceIndicators});
 *   <li>{@code prompt=none} (with {@code openid}) and no signed-in user: {@code login_required} (Spring
 *       Authorization Server has this rule too, but its endpoint runs after the authorization filter, which sends an
 *       anonymous browser to the sign-in page first);
 *   <li>{@code prompt=none} and a sign-in older than {@code max_age}: {@code login_required}, since re-authenticating
 *       would need a page;
 *   <li>a signed-in user who still lacks a factor the request requires (the TOTP step, or enrolment):
 *       {@code interaction_required} (OIDC Core 1.0 §3.1.2.6). {@link dev.gatehouse.server.signin.MfaStepUpFilter} sends
 *       such a browser to the factor's page before this endpoint, except for {@code prompt=none}, where a page is
 *       not allowed; for any other request this check is the backstop that keeps a code from a one-factor session.
 * </ul>
 *
 * At the pushed authorization request endpoint the principal is the client, so only {@code code_challenge}, repeated
 * parameters, {@code max_age} and {@code resource} are checked there ({@link #forPushedRequests()}).
 */
public final class AuthenticationRequestValidator
        implements Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> {

    private static final String AUTH_REQUEST_URI = "https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest";
    private static final String AUTH_ERROR_URI = "https://openid.net/specs/openid-connect-core-1_0.html#AuthError";
    private static final String LOGIN_REQUIRED = "login_required";
    private static final String INTERACTION_REQUIRED = "interaction_required";
    private static final String ACR_VALUES = "acr_values";
    /** As {@code MfaPolicy} reads {@code acr_values}: longer is refused here, and required there. */
    private static final int MAX_ACR_VALUES_LENGTH = 1000;

    private static final List<String> SINGLE_VALUED =
            List.of(AuthenticationAge.PROMPT, AuthenticationAge.MAX_AGE, ACR_VALUES);
    private static final String REPEATED_ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc6749#section-3.1";
    /** A parameter name safe to echo in {@code error_description} (RFC 6749 §4.1.2.1 allows only printable ASCII). */
    private static final Pattern ECHOABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private static final MissingFactor NO_FACTOR_CHECK = (user, clientId, acrValues) -> false;
    private static final String PKCE_ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc7636#section-4.4.1";
    private static final String S256 = "S256";
    private static final Pattern S256_CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final @Nullable Clock clock;
    private final MissingFactor missingFactor;

    private AuthenticationRequestValidator(@Nullable Clock clock, MissingFactor missingFactor) {
        this.clock = clock;
        this.missingFactor = missingFactor;
    }

    /**
     * Tells whether a signed-in user still lacks a factor that a request requires.
     */
    @FunctionalInterface
    public interface MissingFactor {

        /**
         * Whether the user must still complete (or enrol) a factor before this request may get a code.
         *
         * @param user the signed-in user
         * @param clientId the requesting client
         * @param acrValues the request's {@code acr_values}, if any
         * @return {@code true} when a required factor is missing
         */
        boolean test(Authentication user, String clientId, @Nullable String acrValues);
    }

    /**
     * The validator for the authorization endpoint: {@code max_age}, {@code prompt=none} and missing factors.
     *
     * @param clock the current time, to compare with {@code max_age}
     * @param missingFactor whether a signed-in user still lacks a required factor
     * @return the validator
     */
    public static AuthenticationRequestValidator forAuthorizationEndpoint(Clock clock, MissingFactor missingFactor) {
        return new AuthenticationRequestValidator(
                Objects.requireNonNull(clock, "clock must not be null"),
                Objects.requireNonNull(missingFactor, "missingFactor must not be null"));
    }

    /**
     * The validator for the pushed authorization request endpoint (RFC 9126): {@code code_challenge}, {@code
     * max_age} and {@code resource} only.
     *
     * @return the validator
     */
    public static AuthenticationRequestValidator forPushedRequests() {
        return new AuthenticationRequestValidator(null, NO_FACTOR_CHECK);
    }

    /**
     * Spring Authorization Server's default validator (redirect URI, scope) followed by this one; before them, a
     * syntax check of {@code redirect_uri} that its loopback comparison needs ({@link RedirectUriSyntax}: an
     * empty or out-of-range port was a server error).
     *
     * @return the composed validator, for {@code setAuthenticationValidator}
     */
    public Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> afterDefaults() {
        return new RedirectUriSyntax()
                .andThen(new OAuth2AuthorizationCodeRequestAuthenticationValidator())
                .andThen(this);
    }

    @Override
    public void accept(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        // RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)), exactly 43 characters. Spring Authorization
        // Server checks the method only (after this), so a 1-character challenge was accepted. Any other method is
        // its own invalid_request.
        Object challenge = request.getAdditionalParameters().get(PkceParameterNames.CODE_CHALLENGE);
        if (challenge instanceof String c
                && !c.isEmpty()
                && S256.equals(request.getAdditionalParameters().get(PkceParameterNames.CODE_CHALLENGE_METHOD))
                && !S256_CHALLENGE.matcher(c).matches()) {
            throw error(
                    OAuth2ErrorCodes.INVALID_REQUEST,
                    "OAuth 2.0 Parameter: " + PkceParameterNames.CODE_CHALLENGE,
                    PKCE_ERROR_URI,
                    context);
        }
        // RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once", resource excepted
        // (RFC 8707 §2). Spring Authorization Server refuses the parameters it reads itself and keeps any other one
        // repeated as an array, which every check here would misread and its token generator casts to a String (a
        // repeated nonce stored with the authorization failed the code exchange with a server error): refused here,
        // after the redirect URI was validated, so the client gets the error.
        for (Map.Entry<String, Object> parameter :
                request.getAdditionalParameters().entrySet()) {
            String name = parameter.getKey();
            if (!ResourceIndicators.RESOURCE.equals(name) && !(parameter.getValue() instanceof String)) {
                throw SINGLE_VALUED.contains(name)
                        ? error(
                                OAuth2ErrorCodes.INVALID_REQUEST,
                                "OpenID Connect parameter: " + name,
                                AUTH_REQUEST_URI,
                                context)
                        : error(OAuth2ErrorCodes.INVALID_REQUEST, repeated(name), REPEATED_ERROR_URI, context);
            }
        }
        // RFC 8707 §2: each resource an absolute URI without a fragment that the client may obtain tokens for. The
        // request, resource values included, is kept with the authorization: the token endpoint reads them there.
        Optional<String> target = ResourceIndicators.refusal(
                ResourceIndicators.values(request.getAdditionalParameters().get(ResourceIndicators.RESOURCE)),
                ResourceIndicators.allowed(context.getRegisteredClient()));
        if (target.isPresent()) {
            throw error(ResourceIndicators.INVALID_TARGET, target.get(), ResourceIndicators.ERROR_URI, context);
        }
        // Read as absent, an over-long prompt or acr_values skipped what it asked for (a fresh sign-in, a second
        // factor); "none" with any other value is an error (OIDC Core 1.0 §3.1.2.1), also without openid, where
        // the filters before the endpoint read it too. Refused, whatever the scope.
        if (request.getAdditionalParameters().get(AuthenticationAge.PROMPT) instanceof String p
                && (p.length() > AuthenticationAge.MAX_PROMPT_LENGTH
                        || (AuthenticationAge.prompts(p).contains(AuthenticationAge.PROMPT_NONE)
                                && AuthenticationAge.prompts(p).size() > 1))) {
            throw error(
                    OAuth2ErrorCodes.INVALID_REQUEST, "OpenID Connect parameter: prompt", AUTH_REQUEST_URI, context);
        }
        if (request.getAdditionalParameters().get(ACR_VALUES) instanceof String a
                && a.length() > MAX_ACR_VALUES_LENGTH) {
            throw error(
                    OAuth2ErrorCodes.INVALID_REQUEST,
                    "OpenID Connect parameter: acr_values",
                    AUTH_REQUEST_URI,
                    context);
        }
        Duration maxAge;
        try {
            maxAge = AuthenticationAge.maxAge(request.getAdditionalParameters().get(AuthenticationAge.MAX_AGE));
        } catch (IllegalArgumentException e) {
            throw error(
                    OAuth2ErrorCodes.INVALID_REQUEST, "OpenID Connect parameter: max_age", AUTH_REQUEST_URI, context);
        }
        if (clock == null) {
            return;
        }
        Object prompt = request.getAdditionalParameters().get(AuthenticationAge.PROMPT);
        Set<String> prompts = AuthenticationAge.prompts(prompt instanceof String s ? s : null);
        Authentication principal = request.getPrincipal() instanceof Authentication a ? a : null;
        Object acrValues = request.getAdditionalParameters().get(ACR_VALUES);
        if (AuthenticationAge.signedIn(principal)
                && missingFactor.test(principal, request.getClientId(), acrValues instanceof String s ? s : null)) {
            throw error(
                    INTERACTION_REQUIRED,
                    "A further sign-in step is required"
                            + (prompts.contains(AuthenticationAge.PROMPT_NONE) ? " (prompt=none)" : ""),
                    AUTH_ERROR_URI,
                    context);
        }
        if (!request.getScopes().contains(OidcScopes.OPENID)) {
            return;
        }
        // "none" with other values is Spring Authorization Server's invalid_request; leave it to its prompt check.
        if (!prompts.equals(Set.of(AuthenticationAge.PROMPT_NONE))) {
            return;
        }
        if (!AuthenticationAge.signedIn(principal)) {
            throw error(LOGIN_REQUIRED, "No signed-in session (prompt=none)", AUTH_ERROR_URI, context);
        }
        if (maxAge != null && AuthenticationAge.olderThan(principal, maxAge, clock.instant())) {
            throw error(LOGIN_REQUIRED, "The sign-in is older than max_age (prompt=none)", AUTH_ERROR_URI, context);
        }
    }

    /** The description of a repeated parameter: its name when it is short and plain, never anything else sent. */
    private static String repeated(String name) {
        return ECHOABLE_NAME.matcher(name).matches()
                ? "OAuth 2.0 Parameter repeated: " + name
                : "OAuth 2.0 Parameter repeated";
    }

    private static OAuth2AuthorizationCodeRequestAuthenticationException error(
            String code, String description, String uri, OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        RegisteredClient client = context.getRegisteredClient();
        // As Spring Authorization Server's own validator does: the redirect URI was validated before this runs, and
        // a request without one uses the client's only registered URI.
        String redirectUri =
                request.getRedirectUri() != null && !request.getRedirectUri().isEmpty()
                        ? request.getRedirectUri()
                        : client.getRedirectUris().iterator().next();
        OAuth2AuthorizationCodeRequestAuthenticationToken result =
                new OAuth2AuthorizationCodeRequestAuthenticationToken(
                        request.getAuthorizationUri(),
                        request.getClientId(),
                        (Authentication) request.getPrincipal(),
                        redirectUri,
                        request.getState(),
                        request.getScopes(),
                        request.getAdditionalParameters());
        result.setAuthenticated(true);
        return new OAuth2AuthorizationCodeRequestAuthenticationException(
                new OAuth2Error(code, description, uri), result);
    }
}
