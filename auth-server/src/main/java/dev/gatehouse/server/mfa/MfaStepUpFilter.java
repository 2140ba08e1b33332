package dev.gatehouse.server.mfa;

import dev.gatehouse.server.signin.AuthorizationRequestParameters;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stands in front of the endpoints that act on the user's session — authorization (codes, consent) and device
 * verification — and sends a signed-in user who lacks a required factor to the TOTP step (or to enrolment, when
 * the client or {@code acr_values} requires MFA and the user has no factor yet) before Spring Authorization Server
 * sees the request. Spring Authorization Server issues a code to any authenticated principal and offers no hook
 * that can answer with a redirect to another page, so this is a filter: the one place codes and device approvals
 * can be held back until every factor is present. A GET is saved and replayed after the step. {@code client_id} and
 * {@code acr_values} are read through {@link AuthorizationRequestParameters}, so a pushed authorization request (RFC
 * 9126, {@code request_uri}) asking for MFA steps up exactly as the same request in a query does.
 */
public final class MfaStepUpFilter extends OncePerRequestFilter {

    /** The TOTP step page. */
    public static final String TOTP_PAGE = "/mfa/totp";

    /** The enrolment page. */
    public static final String ENROL_PAGE = "/mfa/enroll";

    private final MfaPolicy policy;
    private final AuthorizationRequestParameters parameters;
    private final RequestMatcher authorizeEndpoint;
    private final RequestMatcher guarded;
    private final RequestCache requestCache = new HttpSessionRequestCache();

    /**
     * Creates the filter.
     *
     * @param policy decides when the second factor is required
     * @param parameters reads the request's parameters, pushed ones included
     * @param authorizeEndpoint the authorization endpoint (held back, and where {@code prompt=none} is honoured)
     * @param guarded the other endpoints to hold back (device verification)
     */
    public MfaStepUpFilter(
            MfaPolicy policy,
            AuthorizationRequestParameters parameters,
            RequestMatcher authorizeEndpoint,
            RequestMatcher... guarded) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.parameters = Objects.requireNonNull(parameters, "parameters must not be null");
        this.authorizeEndpoint = Objects.requireNonNull(authorizeEndpoint, "authorizeEndpoint must not be null");
        List<RequestMatcher> all = new ArrayList<>(List.of(guarded));
        all.add(authorizeEndpoint);
        this.guarded = new OrRequestMatcher(all);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication user = SecurityContextHolder.getContext().getAuthentication();
        if (!guarded.matches(request)
                || user == null
                || !user.isAuthenticated()
                || user instanceof AnonymousAuthenticationToken
                || policy.hasAllFactors(user)
                || !policy.otpRequired(
                        user.getName(), parameters.clientId(request), parameters.get(request, "acr_values"))) {
            chain.doFilter(request, response);
            return;
        }
        if (promptNone(request)) {
            // OIDC Core 1.0 §3.1.2.6: with prompt=none no page may be shown. Spring Authorization Server's endpoint
            // answers interaction_required at the client's validated redirect URI (AuthenticationRequestValidator
            // refuses a code to a session that lacks a factor). Only a request without request_uri passes: with a
            // pushed request the endpoint reads prompt from the stored request, so the page step stays in force.
            chain.doFilter(request, response);
            return;
        }
        if ("GET".equals(request.getMethod())) {
            requestCache.saveRequest(request, response);
        }
        String next = policy.hasConfirmedTotp(user.getName()) ? TOTP_PAGE : ENROL_PAGE;
        response.sendRedirect(request.getContextPath() + next);
    }

    private boolean promptNone(HttpServletRequest request) {
        String[] prompts = request.getParameterValues("prompt");
        // response_type: an authorization request, not a consent post (which SAS's validator does not see).
        return authorizeEndpoint.matches(request)
                && request.getParameter("response_type") != null
                && request.getParameter("request_uri") == null
                && prompts != null
                && prompts.length == 1
                && Arrays.asList(prompts[0].split(" ")).contains("none");
    }
}
