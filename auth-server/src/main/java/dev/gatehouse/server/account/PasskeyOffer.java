package dev.gatehouse.server.account;

import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.passkeys.PasskeyOfferChoices;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.signin.AuthorizationRequestParameters;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Kind;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Resolution;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Resolved;
import dev.gatehouse.server.signin.PathOnlyRequestCache;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The optional offer to add a passkey right after a password sign-in (issue #16, {@code
 * gatehouse.server.passkeys.offer-after-sign-in}): the first authorization request of a sign-in that matches {@link
 * #offered} is saved and the browser sent to {@code /passkeys/offer} ({@link PasskeyOfferController}), which continues
 * to that saved request, and only to it. Offered when passkeys are on, the user has no passkey and did not answer
 * "Don't ask again", the sign-in used the password (not a passkey), every factor the account owes is present and
 * fresh (so {@link PasskeyRegistrationGuard} lets the registration through, as on the account page), and the request
 * may show a page: never with {@code prompt=none} (OIDC Core 1.0 §3.1.2.1: no page may be shown; the code or error
 * goes to the client), never in the device flow (the user is approving another device, not signing in here), and at
 * most once per sign-in ("Not now" offers again at the next sign-in).
 */
public final class PasskeyOffer {

    /** The offer page. */
    public static final String PAGE = "/passkeys/offer";

    /** Session attribute: the sign-in (user and password time) the offer was considered for, shown or not. */
    static final String CONSIDERED = PasskeyOffer.class.getName() + ".CONSIDERED";

    /** Session attribute: the sign-in the offer page is showing to (until the user answers). */
    static final String PENDING = PasskeyOffer.class.getName() + ".PENDING";

    private final boolean enabled;
    private final MfaPolicy policy;
    private final Factors factors;
    private final Passkeys passkeys;
    private final PasskeyOfferChoices choices;

    PasskeyOffer(boolean enabled, MfaPolicy policy, Factors factors, Passkeys passkeys, PasskeyOfferChoices choices) {
        this.enabled = enabled;
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.factors = Objects.requireNonNull(factors, "factors must not be null");
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys must not be null");
        this.choices = Objects.requireNonNull(choices, "choices must not be null");
    }

    /**
     * Whether the offer is on: the property and passkeys offered.
     *
     * @return {@code true} if a sign-in may be offered a passkey
     */
    public boolean enabled() {
        return enabled && policy.passkeysOffered();
    }

    /**
     * The filter for the protocol chain, after the step-up and re-authentication filters (so every factor the request
     * owes is present, and a {@code prompt=login} sign-in happens first).
     *
     * @param parameters what Spring Authorization Server resolves of the request ({@code prompt}, pushed ones too)
     * @param authorizeEndpoint the authorization endpoint
     * @return the filter
     */
    public Filter filter(AuthorizationRequestParameters parameters, RequestMatcher authorizeEndpoint) {
        return new OfferFilter(this, parameters, authorizeEndpoint);
    }

    /**
     * The sign-in an authentication stands for: the user and the time of its password factor; {@code null} when the
     * sign-in used a passkey or has no timed password factor (nothing to offer).
     */
    static @Nullable String signIn(Authentication user) {
        if (MfaPolicy.hasPasskeyFactor(user)) {
            return null;
        }
        for (GrantedAuthority a : user.getAuthorities()) {
            if (a instanceof FactorGrantedAuthority factor
                    && FactorGrantedAuthority.PASSWORD_AUTHORITY.equals(factor.getAuthority())) {
                Instant at = factor.getIssuedAt();
                return at == null ? null : user.getName() + "@" + at.toEpochMilli();
            }
        }
        return null;
    }

    /** Whether this user, signed in as {@code user}, is offered a passkey now (the request itself aside). */
    boolean offered(Authentication user) {
        String name = user.getName();
        return enabled()
                && signIn(user) != null
                && factors.fresh(user)
                // A user who must use a passkey registers one during the sign-in (/mfa/passkey/register), not here.
                && !policy.phishingResistantRequired(name, null, null)
                // The account's rule, as the registration guard holds it: every factor the account owes is present.
                && (policy.hasAllFactors(user) || !policy.otpRequired(name, null, null))
                && !passkeys.hasAny(name)
                && !choices.declined(name);
    }

    private static final class OfferFilter extends OncePerRequestFilter {

        private final PasskeyOffer offer;
        private final AuthorizationRequestParameters parameters;
        private final RequestMatcher authorizeEndpoint;
        private final RequestCache requestCache = PathOnlyRequestCache.create();

        OfferFilter(PasskeyOffer offer, AuthorizationRequestParameters parameters, RequestMatcher authorizeEndpoint) {
            this.offer = offer;
            this.parameters = Objects.requireNonNull(parameters, "parameters must not be null");
            this.authorizeEndpoint = Objects.requireNonNull(authorizeEndpoint, "authorizeEndpoint must not be null");
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return !offer.enabled() || !"GET".equals(request.getMethod()) || !authorizeEndpoint.matches(request);
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Authentication user = SecurityContextHolder.getContext().getAuthentication();
            HttpSession session = request.getSession(false);
            @Nullable
            String signIn = user == null || user instanceof AnonymousAuthenticationToken ? null : signIn(user);
            if (user == null
                    || !user.isAuthenticated()
                    || signIn == null
                    || session == null
                    || signIn.equals(session.getAttribute(CONSIDERED))
                    || !interactive(parameters.resolve(request))) {
                chain.doFilter(request, response);
                return;
            }
            // Considered once per sign-in, shown or not: the next request of this sign-in goes straight through.
            session.setAttribute(CONSIDERED, signIn);
            if (!offer.offered(user)) {
                chain.doFilter(request, response);
                return;
            }
            requestCache.saveRequest(request, response);
            session.setAttribute(PENDING, signIn);
            response.sendRedirect(request.getContextPath() + PAGE);
        }

        /**
         * Whether the request is an authorization request that may show a page: one Spring Authorization Server
         * resolved, without {@code prompt=none} (its own or a pushed request's). Anything else goes on unchanged.
         */
        private static boolean interactive(Resolution resolution) {
            if (!(resolution instanceof Resolved resolved) || resolved.kind() != Kind.AUTHORIZATION_REQUEST) {
                return false;
            }
            @Nullable String prompt = resolved.get("prompt");
            return prompt == null || !Arrays.asList(prompt.split(" ")).contains("none");
        }
    }
}
