package dev.gatehouse.server.signin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.WebUtils;

/**
 * Makes the user sign in again when an authorization request says so (OIDC Core 1.0 §3.1.2.1): {@code prompt=login},
 * or {@code max_age=N} with a session whose sign-in is older than N seconds. The request is saved, the session's
 * authentication is dropped (so no earlier factor carries over into the new sign-in) and the browser goes to the
 * sign-in page; the password step, and the second factor where {@link dev.gatehouse.server.signin.MfaStepUpFilter}
 * requires one, run as at a first sign-in, and the saved request resumes.
 *
 * <p>The resumed request still says {@code prompt=login}. So that it does not loop, the filter remembers in the
 * session when it first saw each request (keyed by a hash of its parameters, {@code continue} aside) and lets the
 * request through once every factor of the session's sign-in is at least as young as that moment. It remembers even
 * when the first sight is anonymous, so a first sign-in made for the request counts as the fresh one. {@code prompt}
 * and {@code max_age} are the ones Spring Authorization Server resolves ({@link AuthorizationRequestParameters}: the
 * pushed ones for a {@code request_uri}, which must carry the exact prefix this server issues); a request that
 * cannot be resolved is treated as {@code prompt=login}, one Spring Authorization Server refuses (an unknown, used or
 * foreign {@code request_uri}) is left to its error. {@code prompt=none} is left to {@link
 * AuthenticationRequestValidator} ({@code login_required}); an invalid {@code max_age} is ignored here and refused
 * there.
 *
 * <p>Spring Authorization Server has no hook that can answer with a redirect to the sign-in page, so this is a filter,
 * placed after the MFA step-up and before the authorization filter. The times compared come from one clock per node;
 * nodes behind one session store need synchronised clocks.
 */
public final class ReauthenticationFilter extends OncePerRequestFilter {

    /** The sign-in page. */
    public static final String LOGIN_PAGE = "/login";

    static final String FIRST_SEEN = ReauthenticationFilter.class.getName() + ".firstSeen";
    private static final int MAX_REMEMBERED = 16;
    private static final Duration REMEMBER_FOR = Duration.ofHours(1);
    /** How long a sign-in made for a request counts as fresh for it: enough for the password and factor steps. */
    static final Duration FRESH_FOR = Duration.ofMinutes(10);

    private final AuthorizationRequestParameters parameters;
    private final RequestMatcher authorizationRequests;
    private final Clock clock;
    private final RequestCache requestCache = PathOnlyRequestCache.create();
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
    private final SecurityContextHolderStrategy holder = SecurityContextHolder.getContextHolderStrategy();

    /**
     * Creates the filter.
     *
     * @param parameters reads the request's parameters, pushed ones included
     * @param authorizationRequests the authorization endpoint
     * @param clock the current time
     */
    public ReauthenticationFilter(
            AuthorizationRequestParameters parameters, RequestMatcher authorizationRequests, Clock clock) {
        this.parameters = Objects.requireNonNull(parameters, "parameters must not be null");
        this.authorizationRequests =
                Objects.requireNonNull(authorizationRequests, "authorizationRequests must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!authorizationRequests.matches(request)) {
            chain.doFilter(request, response);
            return;
        }
        AuthorizationRequestParameters.Resolution resolution = parameters.resolve(request);
        if (resolution.kind() != AuthorizationRequestParameters.Kind.AUTHORIZATION_REQUEST
                || resolution instanceof AuthorizationRequestParameters.Refused) {
            // A consent post continues a request this filter has already seen; prompt and max_age are not its own.
            // A refused request (an unknown, used or foreign request_uri, repeated parameters) gets Spring
            // Authorization Server's error and never a code; signing the user out first would add nothing.
            chain.doFilter(request, response);
            return;
        }
        Set<String> prompts;
        @Nullable Duration maxAge;
        if (resolution instanceof AuthorizationRequestParameters.Resolved resolved) {
            prompts = AuthenticationAge.prompts(resolved.get(AuthenticationAge.PROMPT));
            maxAge = AuthenticationAge.maxAgeOrNull(resolved.get(AuthenticationAge.MAX_AGE));
        } else {
            // Not resolved (today only stored parameters that are not single values): what was pushed is unknown, so
            // the strict reading, prompt=login (#13 item 3).
            prompts = Set.of(AuthenticationAge.PROMPT_LOGIN);
            maxAge = null;
        }
        boolean login = prompts.contains(AuthenticationAge.PROMPT_LOGIN);
        if (prompts.contains(AuthenticationAge.PROMPT_NONE) || (!login && maxAge == null)) {
            chain.doFilter(request, response);
            return;
        }
        Instant now = clock.instant();
        HttpSession session = request.getSession();
        String key = key(request);
        Instant firstSeen = firstSeen(session, key, now);
        Authentication user = holder.getContext().getAuthentication();
        if (!AuthenticationAge.signedIn(user)) {
            // The sign-in page follows; that sign-in is younger than firstSeen.
            chain.doFilter(request, response);
            return;
        }
        Instant signedInAt = AuthenticationAge.signedInAt(user);
        // A sign-in made for this very request passes even if max_age (say 0) has run out during the factor steps,
        // but only for a while: the request is remembered for an hour, the sign-in counts as fresh for minutes.
        boolean freshForThisRequest = signedInAt != null
                && !signedInAt.isBefore(firstSeen)
                && !signedInAt.plus(FRESH_FOR).isBefore(now);
        // Not login, so max_age is set (requests with neither went on above).
        boolean tooOld = login || AuthenticationAge.olderThan(user, Objects.requireNonNull(maxAge), now);
        if (freshForThisRequest || !tooOld) {
            forget(session, key);
            chain.doFilter(request, response);
            return;
        }
        if ("GET".equals(request.getMethod())) {
            requestCache.saveRequest(request, response);
        }
        SecurityContext empty = holder.createEmptyContext();
        holder.setContext(empty);
        contexts.saveContext(empty, request, response);
        response.sendRedirect(request.getContextPath() + LOGIN_PAGE);
    }

    /*
     * The session mutex serialises requests of one session on one node only while sessions are the servlet
     * container's. Sessions are Spring Session rows now (issue #14): each request gets its own session object, so the
     * lock no longer spans requests, and never spans nodes. Two authorization requests of one browser racing here
     * write FIRST_SEEN last-writer-wins (Spring Session writes only the attributes a request set, so nothing else is
     * lost). A request whose entry is lost is first seen again after the sign-in, which then is not fresh for it: the
     * user signs in once more. That fails closed (one sign-in too many, never one too few).
     */
    private Instant firstSeen(HttpSession session, String key, Instant now) {
        synchronized (WebUtils.getSessionMutex(session)) {
            LinkedHashMap<String, Instant> seen = remembered(session);
            Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
            while (it.hasNext()) {
                if (it.next().getValue().plus(REMEMBER_FOR).isBefore(now)) {
                    it.remove();
                }
            }
            Instant first = seen.get(key);
            if (first == null) {
                first = now;
                seen.put(key, now);
                while (seen.size() > MAX_REMEMBERED) {
                    seen.remove(seen.keySet().iterator().next());
                }
            }
            // Set again, so session stores that copy attributes see the change.
            session.setAttribute(FIRST_SEEN, seen);
            return first;
        }
    }

    private void forget(HttpSession session, String key) {
        synchronized (WebUtils.getSessionMutex(session)) {
            LinkedHashMap<String, Instant> seen = remembered(session);
            if (seen.remove(key) != null) {
                session.setAttribute(FIRST_SEEN, seen);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static LinkedHashMap<String, Instant> remembered(HttpSession session) {
        Object value = session.getAttribute(FIRST_SEEN);
        return value instanceof LinkedHashMap<?, ?> map ? (LinkedHashMap<String, Instant>) map : new LinkedHashMap<>();
    }

    /** A digest of the request's parameters, without the {@code continue} a replayed saved request adds. */
    private static String key(HttpServletRequest request) {
        TreeMap<String, String[]> sorted = new TreeMap<>(request.getParameterMap());
        sorted.remove("continue");
        StringBuilder canonical = new StringBuilder();
        for (Map.Entry<String, String[]> e : sorted.entrySet()) {
            canonical.append(e.getKey().length()).append(':').append(e.getKey());
            for (String v : e.getValue()) {
                canonical.append(v.length()).append(':').append(v);
            }
            canonical.append('\n');
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(canonical.toString()));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
