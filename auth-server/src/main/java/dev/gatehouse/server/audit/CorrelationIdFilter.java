package dev.gatehouse.server.audit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request a correlation id: the incoming {@code X-Request-Id} when it is 1 to 64 characters of {@code
 * [A-Za-z0-9-]} (a proxy's or gateway's id), otherwise a random UUID. The id is put in the SLF4J MDC as {@value
 * #MDC_KEY} for the request (so every log line and audit event of the request carries it) and returned in the
 * response's {@code X-Request-Id} header. Anything else in the header (other characters, longer) is ignored, so a
 * client cannot inject text into logs through it. A client may choose its own id: it is a tracing aid, not evidence.
 */
public final class CorrelationIdFilter extends OncePerRequestFilter {

    /** The request and response header. */
    public static final String HEADER = "X-Request-Id";

    /** The MDC key, also the JSON field name in structured logs. */
    public static final String MDC_KEY = "correlation_id";

    private static final String ATTRIBUTE = CorrelationIdFilter.class.getName() + ".id";
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9-]{1,64}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = request.getAttribute(ATTRIBUTE) instanceof String known ? known : choose(request.getHeader(HEADER));
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(HEADER, id);
        String previous = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        } finally {
            if (previous == null) {
                MDC.remove(MDC_KEY);
            } else {
                MDC.put(MDC_KEY, previous);
            }
        }
    }

    /** Error pages are rendered in a second dispatch; they keep the request's id. */
    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    static String choose(@org.jspecify.annotations.Nullable String incoming) {
        return incoming != null && ACCEPTED.matcher(incoming).matches()
                ? incoming
                : UUID.randomUUID().toString();
    }
}
