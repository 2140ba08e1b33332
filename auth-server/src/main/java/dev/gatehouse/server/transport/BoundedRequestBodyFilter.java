package dev.gatehouse.server.transport;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.tomcat.util.http.Parameters;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads every request body in full, within a deadline, before anything else sees the request. Tomcat reads a body
 * only when the application asks for it, on the request thread, and its only limit is the time between two bytes
 * ({@code connectionTimeout}): a client sending one byte just inside that limit held a request thread for as long
 * as it liked, and a handful of them stopped the server. Here the whole body must arrive within
 * {@code gatehouse.server.transport.request-body-timeout}; a client too slow gets {@code 408 Request Timeout} (RFC 9110
 * §15.5.9) and the connection is closed without reading the rest ({@link UploadAbortValve}). A body larger than the limit is refused with RFC 6749's
 * {@code invalid_request} (the protocol request guard refuses a declared oversized length before this reads it).
 *
 * <p>The request the application sees serves the buffered body; a form body ({@code application/x-www-form-urlencoded}
 * on {@code POST}, as Tomcat parses) is parsed by Tomcat's own parameter parser, so parameters, their order and
 * their errors are the same as without this filter.
 */
final class BoundedRequestBodyFilter extends OncePerRequestFilter {

    private static final int MAX_PARAMETERS = 1000;

    private final long maxBytes;
    private final long timeoutNanos;
    private final LongSupplier nanoTime;

    BoundedRequestBodyFilter(long maxBytes, Duration timeout, LongSupplier nanoTime) {
        this.maxBytes = maxBytes;
        this.timeoutNanos = timeout.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!hasBody(request) || request.getContentLengthLong() > maxBytes) {
            // No body, or one the protocol request guard refuses by its declared length without reading it.
            chain.doFilter(request, response);
            return;
        }
        byte[] body;
        try {
            body = readWithin(request.getInputStream());
        } catch (DeadlinePassed e) {
            abandonBody(request);
            refuseSlow(response);
            return;
        } catch (TooLarge e) {
            abandonBody(request);
            refuseLarge(response);
            return;
        } catch (IOException e) {
            // A read failed: Tomcat has already chosen the answer (408 after its per-read timeout, 400 otherwise) and
            // the error page renders it; the client may also simply have gone.
            abandonBody(request);
            return;
        }
        chain.doFilter(new BufferedBodyRequest(request, body), response);
    }

    /** Asks Tomcat not to read the rest of the body after the response, but to close ({@link UploadAbortValve}). */
    private static void abandonBody(HttpServletRequest request) {
        request.setAttribute(UploadAbortValve.ABANDON_BODY, Boolean.TRUE);
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    private byte[] readWithin(InputStream in) throws IOException {
        long start = nanoTime.getAsLong();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        // Each read waits at most Tomcat's connectionTimeout for a byte; the deadline bounds the whole.
        while ((n = in.read(buffer)) != -1) {
            out.write(buffer, 0, n);
            if (out.size() > maxBytes) {
                throw new TooLarge();
            }
            if (nanoTime.getAsLong() - start > timeoutNanos) {
                throw new DeadlinePassed();
            }
        }
        return out.toByteArray();
    }

    private static void refuseSlow(HttpServletResponse response) throws IOException {
        // No "Connection: close" of our own: Tomcat adds it, and would otherwise swallow the rest of the body first.
        response.setStatus(HttpServletResponse.SC_REQUEST_TIMEOUT);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("text/plain;charset=UTF-8");
        response.getOutputStream().write("request body not received in time\n".getBytes(StandardCharsets.UTF_8));
    }

    private static void refuseLarge(HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.getOutputStream()
                .write("{\"error\":\"invalid_request\",\"error_description\":\"request too large\"}"
                        .getBytes(StandardCharsets.UTF_8));
    }

    private static final class DeadlinePassed extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The request with its body read: the stream and reader serve the buffered bytes; a form body's parameters follow
     * the query string's, as the Servlet specification orders them (§3.1).
     */
    static final class BufferedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;
        private @Nullable Map<String, String[]> parameters;

        BufferedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            return new BufferedInputStream(body);
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset()));
        }

        @Override
        public @Nullable String getParameter(String name) {
            String[] values = getParameterMap().get(name);
            return values == null || values.length == 0 ? null : values[0];
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(getParameterMap().keySet());
        }

        @Override
        public String @Nullable [] getParameterValues(String name) {
            String[] values = getParameterMap().get(name);
            return values == null ? null : values.clone();
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            Map<String, String[]> parsed = parameters;
            if (parsed == null) {
                parsed = parse();
                parameters = parsed;
            }
            return parsed;
        }

        /**
         * The query string's parameters (Tomcat no longer parses the body, since it has been read as a stream), then
         * the form body's, parsed by Tomcat's parser with the request's character encoding, parsed lazily so that
         * the encoding set by a later filter applies.
         */
        private Map<String, String[]> parse() {
            Map<String, List<String>> merged = new LinkedHashMap<>();
            super.getParameterMap()
                    .forEach((name, values) ->
                            merged.computeIfAbsent(name, k -> new ArrayList<>()).addAll(List.of(values)));
            if (isForm()) {
                Parameters form = new Parameters();
                // Tomcat's maxParameterCount (1000) for query and body together; never -1, which would mean none.
                form.setLimit(Math.max(
                        0,
                        MAX_PARAMETERS
                                - merged.values().stream().mapToInt(List::size).sum()));
                form.setCharset(charset());
                form.processParameters(body, 0, body.length);
                Set<String> names = new LinkedHashSet<>(Collections.list(form.getParameterNames()));
                for (String name : names) {
                    String[] values = form.getParameterValues(name);
                    if (values != null) {
                        merged.computeIfAbsent(name, k -> new ArrayList<>()).addAll(List.of(values));
                    }
                }
            }
            Map<String, String[]> result = new LinkedHashMap<>();
            merged.forEach((name, values) -> result.put(name, values.toArray(String[]::new)));
            return Collections.unmodifiableMap(result);
        }

        private boolean isForm() {
            String type = getContentType();
            return "POST".equals(getMethod())
                    && type != null
                    && type.toLowerCase(Locale.ROOT)
                            .split(";", 2)[0]
                            .strip()
                            .equals("application/x-www-form-urlencoded");
        }

        private Charset charset() {
            String encoding = getCharacterEncoding();
            try {
                return encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            } catch (IllegalArgumentException e) {
                return StandardCharsets.ISO_8859_1;
            }
        }
    }

    private static final class BufferedInputStream extends ServletInputStream {

        private final ByteArrayInputStream in;

        BufferedInputStream(byte[] body) {
            this.in = new ByteArrayInputStream(body);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new IllegalStateException("the body has already been read");
        }
    }
}
