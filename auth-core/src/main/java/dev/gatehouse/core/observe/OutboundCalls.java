package dev.gatehouse.core.observe;

import java.net.URI;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Observes outbound HTTP calls the library makes: one {@link #start} per request, before it is sent, and exactly one
 * {@link Call#end} or {@link Call#fail} when it is over. {@code start} may name request headers through the given
 * sink (the context of a trace, W3C Trace Context §3: {@code traceparent}, {@code tracestate}); the caller adds them
 * to the request. Implementations must be thread-safe, fast, and never throw; they must not read or record request
 * bodies or credentials (the caller passes none: the URI has no user info or query, and the bearer token of an OPA
 * call is added after, never seen here).
 */
@FunctionalInterface
public interface OutboundCalls {

    /** Observes nothing and adds no header: the default of every builder. */
    OutboundCalls NOOP = (kind, method, uri, headers) -> Call.NOOP;

    /**
     * Starts observing a call, on the thread whose context (the current trace) it belongs to.
     *
     * @param kind what the call is for
     * @param method the HTTP method
     * @param uri where it goes, without user info or query ({@link #safe(URI)})
     * @param headers receives the headers to add to the request (name, value)
     * @return the call, to end
     */
    Call start(Kind kind, String method, URI uri, BiConsumer<String, String> headers);

    /**
     * The URI as it may be recorded: scheme, host, port and path only.
     *
     * @param uri any URI
     * @return the same without user info, query and fragment
     */
    static URI safe(URI uri) {
        Objects.requireNonNull(uri, "uri must not be null");
        return URI.create(uri.getScheme()
                + "://"
                + uri.getHost()
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath()));
    }

    /** What an outbound call is for; the name is the observation's, a fixed set. */
    enum Kind {
        /** A resource server fetching the issuer's JWK Set (RFC 7517 §5), {@code gatehouse.jwks.fetch}. */
        JWKS_FETCH("gatehouse.jwks.fetch"),
        /** A policy query to an Open Policy Agent server, {@code gatehouse.opa.query}. */
        OPA_QUERY("gatehouse.opa.query");

        private final String observationName;

        Kind(String observationName) {
            this.observationName = observationName;
        }

        /**
         * The observation's name.
         *
         * @return e.g. {@code gatehouse.jwks.fetch}
         */
        public String observationName() {
            return observationName;
        }
    }

    /** One observed call. */
    interface Call {

        /** Does nothing. */
        Call NOOP = new Call() {
            @Override
            public void end(int status) {}

            @Override
            public void fail(String reason) {}
        };

        /**
         * The call got an answer.
         *
         * @param status its HTTP status
         */
        void end(int status);

        /**
         * The call got no usable answer.
         *
         * @param reason a short fixed text or an exception's simple class name, never a response body or secret
         */
        void fail(String reason);
    }
}
