package dev.gatehouse.server.observability;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationListener;
import org.springframework.security.authentication.event.AbstractAuthenticationEvent;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The server's own spans, one per token request and per sign-in step, each a Micrometer {@link Observation} (so a
 * span when tracing samples it, and a timer of the same name by its low-cardinality attributes). Every attribute
 * value comes from a fixed set below, except the client id, which is a high-cardinality attribute (on the span only,
 * never a metric tag). Nothing is read from a request body here: the grant type and client come from Spring
 * Security's authentication events, after Spring Authorization Server has read and checked the request; the step's
 * outcome from the response's status and redirect. No value of a password, code, token or secret is ever looked at.
 */
final class TracingSpans {

    /** A token request at {@code POST /oauth2/token} (RFC 6749 §3.2). */
    static final String TOKEN = "gatehouse.token";

    /** A step of the browser sign-in: a password, TOTP, recovery-code or passkey post, or the consent form. */
    static final String SIGNIN_STEP = "gatehouse.signin.step";

    static final String GRANT_TYPE = "grant_type";
    static final String OUTCOME = "outcome";
    static final String STEP = "step";
    static final String CLIENT_ID = "client_id";

    /** Grant types named as themselves; any other is {@code other}, a request with none {@code none}. */
    static final Set<String> GRANT_TYPES = Set.of(
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "urn:ietf:params:oauth:grant-type:jwt-bearer");

    /**
     * A token request's outcomes: {@code success}, the error codes of RFC 6749 §5.2, RFC 8628 §3.5 and RFC 9449 §5.2,
     * {@code rate_limited}, {@code error} (a server error) and {@code other}.
     */
    static final Set<String> TOKEN_OUTCOMES = Set.of(
            "success",
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
            "authorization_pending",
            "slow_down",
            "access_denied",
            "expired_token",
            "invalid_dpop_proof",
            "use_dpop_nonce",
            "rate_limited",
            "error",
            "other");

    /** Sign-in steps. */
    static final Set<String> STEPS = Set.of("password", "totp", "recovery", "passkey", "consent", "authorize");

    /** A sign-in step's outcomes. */
    static final Set<String> STEP_OUTCOMES = Set.of("success", "failure", "denied", "error");

    /** The request attribute holding the current request's {@link SpanContext}. */
    static final String ATTRIBUTE = TracingSpans.class.getName() + ".context";

    private static final int MAX_CLIENT_ID = 128;

    private TracingSpans() {}

    /** What a token request or sign-in step turned out to be; filled in while the request runs. */
    static final class SpanContext extends Observation.Context {

        private final boolean token;
        private String step;
        private String grantType = "none";
        private @Nullable String outcome;
        private @Nullable String clientId;

        SpanContext(boolean token, String step) {
            this.token = token;
            this.step = step;
        }
    }

    /** The span's fixed grant-type value for a request's {@code grant_type}. */
    static String grantType(@Nullable String value) {
        if (value == null || value.isEmpty()) {
            return "none";
        }
        return GRANT_TYPES.contains(value) ? value : "other";
    }

    /** The outcome of a refused token request: its OAuth error code when it is one of the fixed set. */
    static String tokenOutcome(Exception e) {
        if (e instanceof OAuth2AuthenticationException oauth) {
            String code = oauth.getError().getErrorCode();
            return TOKEN_OUTCOMES.contains(code) ? code : "other";
        }
        return "invalid_client";
    }

    /** A token request's outcome when no authentication event said it: from the status alone. */
    static String tokenOutcome(int status) {
        if (status >= 200 && status < 300) {
            return "success";
        }
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "invalid_client";
            case 429 -> "rate_limited";
            default -> status >= 500 ? "error" : "other";
        };
    }

    /**
     * A sign-in step's outcome from its answer: a server error, a refusal (4xx), a redirect back with {@code error}
     * (the sign-in form's {@code ?error}, a step's {@code ?error}) is a failure, an authorization error {@code
     * access_denied} (RFC 6749 §4.1.2.1: the user declined consent) is {@code denied}; anything else succeeded.
     */
    static String stepOutcome(int status, @Nullable String location) {
        if (status >= 500) {
            return "error";
        }
        if (status >= 400) {
            return "failure";
        }
        if (location != null) {
            int q = location.indexOf('?');
            if (q >= 0) {
                for (String parameter : location.substring(q + 1).split("&")) {
                    if (parameter.equals("error=access_denied")) {
                        return "denied";
                    }
                    if (parameter.equals("error") || parameter.startsWith("error=")) {
                        return "failure";
                    }
                }
            }
        }
        return "success";
    }

    /** The step of a request, or {@code null} when it is none of them. */
    static @Nullable String step(String method, String path) {
        if (!"POST".equals(method)) {
            return null;
        }
        return switch (path) {
            case "/oauth2/token" -> "token";
            case "/login" -> "password";
            case "/mfa/totp" -> "totp";
            case "/mfa/recovery" -> "recovery";
            case "/login/webauthn" -> "passkey";
            case "/oauth2/authorize" -> "consent";
            default -> null;
        };
    }

    /** Observes token requests and sign-in steps. */
    static final class Filter extends OncePerRequestFilter {

        private final ObservationRegistry registry;

        Filter(ObservationRegistry registry) {
            this.registry = registry;
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return registry.isNoop() || step(request.getMethod(), path(request)) == null;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String step = step(request.getMethod(), path(request));
            if (step == null) {
                chain.doFilter(request, response);
                return;
            }
            boolean token = step.equals("token");
            SpanContext context = new SpanContext(token, step);
            Observation observation = Observation.createNotStarted(token ? TOKEN : SIGNIN_STEP, () -> context, registry)
                    .contextualName(token ? TOKEN : SIGNIN_STEP)
                    .start();
            request.setAttribute(ATTRIBUTE, context);
            try (Observation.Scope scope = observation.openScope()) {
                chain.doFilter(request, response);
            } catch (IOException | ServletException | RuntimeException e) {
                // The class only: an exception's message may quote a request's values.
                observation.error(new Failure(e.getClass().getName()));
                throw e;
            } finally {
                request.removeAttribute(ATTRIBUTE);
                finish(observation, context, request, response);
                observation.stop();
            }
        }

        private static void finish(
                Observation observation,
                SpanContext context,
                HttpServletRequest request,
                HttpServletResponse response) {
            int status = response.getStatus();
            if (context.token) {
                String outcome = context.outcome;
                observation.lowCardinalityKeyValue(KeyValue.of(GRANT_TYPE, context.grantType));
                observation.lowCardinalityKeyValue(
                        KeyValue.of(OUTCOME, outcome != null && status < 500 ? outcome : tokenOutcome(status)));
                String clientId = context.clientId;
                if (clientId != null) {
                    observation.highCardinalityKeyValue(KeyValue.of(CLIENT_ID, clientId));
                }
                return;
            }
            if (context.step.equals("consent") && status < 400 && request.getParameter("response_type") != null) {
                // A POST authorization request (OIDC Core §3.1.2.1), not the consent form's answer; parameters were
                // read by Spring Authorization Server already.
                context.step = "authorize";
            }
            observation.lowCardinalityKeyValue(KeyValue.of(STEP, context.step));
            observation.lowCardinalityKeyValue(
                    KeyValue.of(OUTCOME, stepOutcome(status, response.getHeader("Location"))));
        }

        private static String path(HttpServletRequest request) {
            String uri = request.getRequestURI();
            String context = request.getContextPath();
            return context.isEmpty() || !uri.startsWith(context) ? uri : uri.substring(context.length());
        }
    }

    /**
     * Spring Security's authentication events of a token request: which client (once Spring Authorization Server has
     * authenticated it, never the id as presented), which grant type, and the OAuth error of a refusal.
     */
    static final class AuthenticationEvents implements ApplicationListener<AbstractAuthenticationEvent> {

        @Override
        public void onApplicationEvent(AbstractAuthenticationEvent event) {
            RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
            if (attributes == null
                    || !(attributes.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST)
                            instanceof SpanContext context)
                    || !context.token) {
                return;
            }
            Authentication authentication = event.getAuthentication();
            if (attributes instanceof ServletRequestAttributes servlet) {
                // Read by Spring Authorization Server's converters before any authentication event.
                context.grantType = grantType(servlet.getRequest().getParameter(GRANT_TYPE));
            }
            if (event instanceof AuthenticationSuccessEvent) {
                if (authentication instanceof OAuth2ClientAuthenticationToken client) {
                    RegisteredClient registered = client.getRegisteredClient();
                    if (registered != null) {
                        context.clientId = cut(registered.getClientId());
                    }
                } else if (authentication instanceof OAuth2AccessTokenAuthenticationToken issued) {
                    context.clientId = cut(issued.getRegisteredClient().getClientId());
                    context.outcome = "success";
                }
            } else if (event instanceof AbstractAuthenticationFailureEvent failure) {
                context.outcome = tokenOutcome(failure.getException());
            }
        }

        private static String cut(String clientId) {
            return clientId.length() <= MAX_CLIENT_ID ? clientId : clientId.substring(0, MAX_CLIENT_ID);
        }
    }

    /** A request's failure as its exception's class name, without message or stack. */
    static final class Failure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        Failure(String exceptionClass) {
            super(exceptionClass, null, false, false);
        }
    }
}
