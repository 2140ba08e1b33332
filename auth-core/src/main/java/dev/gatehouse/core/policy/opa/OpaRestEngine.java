package dev.gatehouse.core.policy.opa;

import com.bisnode.opa.client.OpaClientException;
import com.bisnode.opa.client.OpaConfiguration;
import com.bisnode.opa.client.query.OpaQueryClient;
import com.bisnode.opa.client.query.QueryForDocumentRequest;
import com.bisnode.opa.client.rest.OpaRestClient;
import com.bisnode.opa.client.rest.OpaServerConnectionException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.internal.OptionalLibrary;
import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyEngine;
import dev.gatehouse.core.policy.PolicyException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Asks an OPA server through its Data API (https://www.openpolicyagent.org/docs/rest-api#get-a-document-with-input):
 * {@code POST /v1/data/<document>} with {@link AccessRequest#toMap()} as {@code input}, using the
 * bisnode {@code opa-java-client}. What that client lacks is added here:
 *
 * <ul>
 *   <li>a connect timeout and a per-request timeout on one shared, connection-reusing {@link HttpClient};
 *   <li>a hard deadline of our own ({@link Builder#timeout}), because {@code HttpRequest.timeout} only
 *       covers the wait for response headers: a server that trickles its body is cut off here;
 *   <li>{@code Authorization: Bearer} for OPA's {@code --authentication=token} mode;
 *   <li>an undefined document — which the client reports only as an exception whose message says "Result
 *       is empty" — is indeterminate, as is every other failure: a deny at the edge;
 *   <li>{@link #healthy()}: {@code GET /health}.
 * </ul>
 *
 * <p>The token and the request's attributes never appear in reasons or logs. Close the engine to stop its
 * worker threads. Thread-safe.
 */
public final class OpaRestEngine implements PolicyEngine, AutoCloseable {

    private static final String UNDEFINED_MARKER = "Result is empty";

    private final String id;
    private final URI url;
    private final String document;
    private final Duration timeout;
    private final HttpClient http;
    private final @Nullable String bearerToken;
    private final OpaQueryClient client;
    private final ThreadPoolExecutor workers;

    private OpaRestEngine(Builder b) {
        this.url = Objects.requireNonNull(b.url, "url must be set");
        this.document = b.document;
        this.id = b.id == null ? "opa:" + document : b.id;
        this.timeout = b.timeout;
        this.bearerToken = b.bearerToken;
        this.http = HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.client = AuthenticatingRestClient.queryClient(url, http, timeout, bearerToken);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(
                b.maxConcurrency,
                b.maxConcurrency,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(b.maxConcurrency * 4),
                r -> {
                    Thread t = new Thread(r, "gatehouse-opa-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        this.workers.allowCoreThreadTimeOut(true);
    }

    /**
     * A builder: document {@code authz/allow}, 500 ms deadline, 250 ms connect timeout, no token.
     *
     * @return the builder
     */
    public static Builder builder() {
        if (!OptionalLibrary.OPA_REST.isPresent()) {
            throw new PolicyException(
                    PolicyException.Reason.LIBRARY_MISSING,
                    OptionalLibrary.OPA_REST.missingMessage("OPA server decisions (OpaRestEngine)"));
        }
        return new Builder();
    }

    @Override
    public Evaluation evaluate(AccessRequest request) {
        QueryForDocumentRequest query = new QueryForDocumentRequest(request.toMap(), document);
        Future<Object> f;
        try {
            f = workers.submit(() -> client.queryForDocument(query, Object.class));
        } catch (RejectedExecutionException e) {
            return Evaluation.indeterminate(
                    id, document, "OPA adapter overloaded (too many queries in flight) or closed");
        }
        try {
            return OpaResults.interpret(id, document, f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            f.cancel(true);
            return Evaluation.indeterminate(id, document, "OPA did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            return Evaluation.indeterminate(id, document, "interrupted while waiting for OPA");
        } catch (ExecutionException e) {
            return failure(e.getCause());
        }
    }

    private Evaluation failure(@Nullable Throwable cause) {
        if (cause instanceof OpaServerConnectionException) {
            return Evaluation.indeterminate(id, document, "OPA unreachable at " + url);
        }
        if (cause instanceof OpaClientException
                && cause.getMessage() != null
                && cause.getMessage().contains(UNDEFINED_MARKER)) {
            return Evaluation.indeterminate(id, document, "document " + document + " is undefined");
        }
        if (cause instanceof OpaClientException
                && cause.getMessage() != null
                && cause.getMessage().toLowerCase(Locale.ROOT).contains("status")) {
            // e.g. "Error in communication with OPA server, status code: 401"; no body, no input.
            return Evaluation.indeterminate(id, document, "OPA refused the query: " + cause.getMessage());
        }
        return Evaluation.indeterminate(
                id,
                document,
                "OPA query failed ("
                        + (cause == null ? "unknown" : cause.getClass().getSimpleName())
                        + (cause != null && cause.getCause() != null
                                ? " caused by " + cause.getCause().getClass().getSimpleName()
                                : "")
                        + ")");
    }

    /**
     * Whether OPA answers {@code GET /health} with 200 within the deadline (its plugins ready, bundles
     * loaded). Use for readiness probes; decisions do not depend on it.
     *
     * @return whether OPA is healthy
     */
    public boolean healthy() {
        HttpRequest.Builder r =
                HttpRequest.newBuilder(url.resolve("/health")).timeout(timeout).GET();
        if (bearerToken != null) {
            r.header("Authorization", "Bearer " + bearerToken);
        }
        try {
            return http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String id() {
        return id;
    }

    /** Stops the worker threads. */
    @Override
    public void close() {
        workers.shutdownNow();
    }

    @Override
    public String toString() {
        return "OpaRestEngine[" + url + ", " + document + ", token " + (bearerToken == null ? "none" : "set") + "]";
    }

    /** Adds the per-request timeout and the bearer token to every request the bisnode client makes. */
    private static final class AuthenticatingRestClient extends OpaRestClient {
        private final Duration timeout;
        private final @Nullable String bearerToken;

        AuthenticatingRestClient(
                OpaConfiguration config,
                HttpClient http,
                ObjectMapper mapper,
                Duration timeout,
                @Nullable String bearerToken) {
            super(config, http, mapper);
            this.timeout = timeout;
            this.bearerToken = bearerToken;
        }

        // Built here, not in the engine's constructor: handing this subclass to OpaQueryClient makes the
        // verifier load both, and OpaRestEngine must link without the OPA client (builder() reports it missing).
        static OpaQueryClient queryClient(URI url, HttpClient http, Duration timeout, @Nullable String bearerToken) {
            OpaConfiguration config = new OpaConfiguration(url.toString(), HttpClient.Version.HTTP_1_1);
            return new OpaQueryClient(
                    new AuthenticatingRestClient(config, http, new ObjectMapper(), timeout, bearerToken));
        }

        @Override
        public HttpRequest.Builder getBasicRequestBuilder(String endpoint) {
            HttpRequest.Builder b = super.getBasicRequestBuilder(endpoint).timeout(timeout);
            if (bearerToken != null) {
                b.header("Authorization", "Bearer " + bearerToken);
            }
            return b;
        }
    }

    /** Builds an {@link OpaRestEngine}. Not thread-safe. */
    public static final class Builder {
        private @Nullable URI url;
        private String document = "authz/allow";
        private @Nullable String id;
        private Duration timeout = Duration.ofMillis(500);
        private Duration connectTimeout = Duration.ofMillis(250);
        private @Nullable String bearerToken;
        private int maxConcurrency = 32;

        private Builder() {}

        /**
         * OPA's base URL, e.g. {@code http://127.0.0.1:8181}. Use {@code https} unless OPA is on loopback or
         * a private, trusted link: the request carries subject attributes.
         *
         * @param url the base URL
         * @return this builder
         */
        public Builder url(URI url) {
            Objects.requireNonNull(url, "url must not be null");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "OPA url must be http or https");
            }
            this.url = url;
            return this;
        }

        /**
         * The document to query, a path under {@code /v1/data}, e.g. {@code authz/allow} (a boolean) or
         * {@code authz/decision} (an object with {@code allow} and {@code reason}); default {@code
         * authz/allow}.
         *
         * @param document slash-separated path
         * @return this builder
         */
        public Builder document(String document) {
            Objects.requireNonNull(document, "document must not be null");
            String d = document.startsWith("/") ? document.substring(1) : document;
            if (!d.matches("[A-Za-z0-9_][A-Za-z0-9_/.-]*")) {
                throw new PolicyException(
                        PolicyException.Reason.INVALID_POLICY, "document must be a path like authz/allow");
            }
            this.document = d;
            return this;
        }

        /**
         * The id in decisions; default {@code opa:<document>}.
         *
         * @param id the id
         * @return this builder
         */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id must not be null");
            return this;
        }

        /**
         * The hard deadline of one decision, also the HTTP request timeout; default 500 ms. Past it the
         * decision is a deny.
         *
         * @param timeout positive duration
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * TCP connect timeout; default 250 ms.
         *
         * @param connectTimeout positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * A bearer token for OPA's {@code --authentication=token} mode; default none.
         *
         * @param token the token, never logged
         * @return this builder
         */
        public Builder bearerToken(String token) {
            Objects.requireNonNull(token, "token must not be null");
            if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "bearer token must be visible ASCII");
            }
            this.bearerToken = token;
            return this;
        }

        /**
         * Queries in flight at once; more wait in a short queue, and beyond it are denied; default 32.
         *
         * @param maxConcurrency at least 1
         * @return this builder
         */
        public Builder maxConcurrency(int maxConcurrency) {
            if (maxConcurrency < 1) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "maxConcurrency must be at least 1");
            }
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, what + " must be positive");
            }
            return d;
        }

        /**
         * Builds the engine. Does not contact OPA; call {@link OpaRestEngine#healthy()} to check.
         *
         * @return the engine
         */
        public OpaRestEngine build() {
            if (url == null) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "url is required");
            }
            return new OpaRestEngine(this);
        }
    }
}
