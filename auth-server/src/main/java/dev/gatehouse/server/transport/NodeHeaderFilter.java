package dev.gatehouse.server.transport;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names the node that answered in every response's {@value #HEADER} header, so that a test or an operator behind a
 * round-robin load balancer can see where each request went. Off by default ({@code gatehouse.server.node-header}): the
 * name is usually the host name, which nothing outside the operator's network needs. The header is set before the rest
 * of the chain runs, so error pages and Spring Security's refusals carry it too (Tomcat keeps headers across
 * {@code sendError}).
 */
final class NodeHeaderFilter implements Filter {

    /** The response header. */
    static final String HEADER = "X-Gatehouse-Node";

    /** What may appear in the header: a host name or a short label, nothing that could split or inject a header. */
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final String name;

    NodeHeaderFilter(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (!ACCEPTED.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "gatehouse.server.node-name must be 1 to 64 characters of [A-Za-z0-9._-]; set it explicitly");
        }
        this.name = name;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (response instanceof HttpServletResponse http) {
            http.setHeader(HEADER, name);
        }
        chain.doFilter(request, response);
    }
}
