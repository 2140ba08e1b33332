package dev.gatehouse.server.signin;

import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Kind;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Refused;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Resolution;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Resolved;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stands in front of the endpoints that act on the user's session — authorization (codes, consent) and device
 * verification — and sends a signed-in user who lacks a required factor to a factor step before Spring Authorization
 * Server sees the request: when a phishing-resistant factor is owed (issue #16), to the passkey step if the user has
 * a passkey, else to registering one (after the TOTP step for a TOTP user); otherwise to the TOTP step if the user
 * has TOTP, to the passkey step if the user has only passkeys (the recovery-code step while passkeys are switched
 * off), or to TOTP enrolment when the client or {@code acr_values} requires MFA and the user has no
 * factor yet. Spring Authorization Server issues a code to any authenticated principal and offers no hook
 * that can answer with a redirect to another page, so this is a filter: the one place codes and device approvals
 * can be held back until every factor is present. A GET is saved and replayed after the step. The client and
 * {@code acr_values} are those Spring Authorization Server resolves ({@link AuthorizationRequestParameters}): a
 * pushed authorization request (RFC 9126), the request a consent post continues, the device authorization of a user
 * code in any form Spring Authorization Server accepts. A request that cannot be resolved requires the factor. Inside
 * Spring Authorization Server, {@code AuthenticationRequestValidator} and {@code DeviceApprovalFactorCheck} refuse
 * the same requests should this filter ever let one through.
 */
public final class MfaStepUpFilter extends OncePerRequestFilter {

    /** The TOTP step page. */
    public static final String TOTP_PAGE = "/mfa/totp";

    /** The enrolment page. */
    public static final String ENROL_PAGE = "/mfa/enroll";

    /** The recovery-code step. */
    public static final String RECOVERY_PAGE = "/mfa/recovery";

    /** The passkey step (a passkey after the password). */
    public static final String PASSKEY_PAGE = "/mfa/passkey";

    /** Registering a passkey in the middle of a sign-in that requires one (the user has none yet). */
    public static final String PASSKEY_REGISTRATION_PAGE = "/mfa/passkey/register";

    /**
     * Session attribute: whether the request last held back here owes a phishing-resistant factor ({@link
     * Boolean}), so the factor pages offer only the ways that can meet it. Display only: what is owed is decided
     * again here and inside Spring Authorization Server on every request.
     */
    public static final String PHISHING_RESISTANT_OWED = MfaStepUpFilter.class.getName() + ".PHISHING_RESISTANT_OWED";

    private final MfaPolicy policy;
    private final AuthorizationRequestParameters parameters;
    private final RequestMatcher guarded;
    private final RequestCache requestCache = PathOnlyRequestCache.create();

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
        List<RequestMatcher> all = new ArrayList<>(List.of(guarded));
        all.add(Objects.requireNonNull(authorizeEndpoint, "authorizeEndpoint must not be null"));
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
                || MfaPolicy.hasPasskeyFactor(user)) {
            // A passkey meets every requirement (multi-factor and phishing-resistant).
            chain.doFilter(request, response);
            return;
        }
        Resolution resolution = parameters.resolve(request);
        Owed owed = owed(user, resolution);
        if (owed == Owed.NOTHING) {
            chain.doFilter(request, response);
            return;
        }
        if (promptNone(resolution)) {
            // OIDC Core 1.0 §3.1.2.6: with prompt=none (own or pushed, as resolved) no page may be shown. Spring
            // Authorization Server's endpoint answers interaction_required at the client's validated redirect URI
            // (AuthenticationRequestValidator refuses a code to a session that lacks a factor).
            chain.doFilter(request, response);
            return;
        }
        if ("GET".equals(request.getMethod())) {
            requestCache.saveRequest(request, response);
        }
        request.getSession().setAttribute(PHISHING_RESISTANT_OWED, owed == Owed.PHISHING_RESISTANT);
        response.sendRedirect(request.getContextPath() + next(user, owed));
    }

    /** What a held-back request still owes. */
    private enum Owed {
        NOTHING,
        SECOND_FACTOR,
        PHISHING_RESISTANT
    }

    /**
     * The step that can pay what is owed; a recovery code or TOTP never pays a phishing-resistant factor. A user who
     * owes one and has no passkey registers one, which needs every factor the user already has (the registration page
     * and guard want a fresh password and, for a TOTP user, a fresh one-time code): a TOTP user still without the code
     * passes the TOTP step first, which resumes this request, and is then sent on to the registration.
     */
    private String next(Authentication user, Owed owed) {
        String username = user.getName();
        if (owed == Owed.PHISHING_RESISTANT) {
            if (policy.hasPasskey(username)) {
                return PASSKEY_PAGE;
            }
            return policy.hasConfirmedTotp(username) && !MfaPolicy.hasOtp(user) ? TOTP_PAGE : PASSKEY_REGISTRATION_PAGE;
        }
        if (policy.hasConfirmedTotp(username)) {
            return TOTP_PAGE;
        }
        if (policy.hasPasskey(username)) {
            // With passkeys switched off the stored passkey is still owed as a second factor; a recovery code
            // stands in for it, never TOTP enrolment with the password alone.
            return policy.passkeysOffered() ? PASSKEY_PAGE : RECOVERY_PAGE;
        }
        return ENROL_PAGE;
    }

    private Owed owed(Authentication user, Resolution resolution) {
        @Nullable String clientId = null;
        @Nullable String acrValues = null;
        if (resolution instanceof Resolved resolved) {
            clientId = resolved.clientId();
            acrValues = resolved.get(AuthorizationRequestParameters.ACR_VALUES);
        }
        if (policy.phishingResistantRequired(user.getName(), clientId, acrValues)) {
            return Owed.PHISHING_RESISTANT;
        }
        if (policy.hasAllFactors(user)) {
            return Owed.NOTHING;
        }
        return otpRequired(user, resolution) ? Owed.SECOND_FACTOR : Owed.NOTHING;
    }

    /**
     * Whether the request needs the second factor. A request that cannot be resolved (a device authorization whose
     * client is gone, a repeated user code, a malformed consent post) requires it: not knowing the client never means
     * "no MFA needed" (#13 item 2). A request Spring Authorization Server refuses (an unknown user code, consent state
     * or {@code request_uri}, found by the same lookup it makes) is held to the user's own requirement only, like a
     * page: it gets Spring Authorization Server's error, and nothing is issued for it.
     */
    private boolean otpRequired(Authentication user, Resolution resolution) {
        if (resolution instanceof Resolved resolved) {
            return policy.otpRequired(
                    user.getName(), resolved.clientId(), resolved.get(AuthorizationRequestParameters.ACR_VALUES));
        }
        if (resolution instanceof Refused) {
            return policy.otpRequired(user.getName(), null, null);
        }
        return true;
    }

    private static boolean promptNone(Resolution resolution) {
        if (!(resolution instanceof Resolved resolved) || resolved.kind() != Kind.AUTHORIZATION_REQUEST) {
            return false;
        }
        @Nullable String prompt = resolved.get("prompt");
        return prompt != null && Arrays.asList(prompt.split(" ")).contains("none");
    }
}
