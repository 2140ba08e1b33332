package dev.gatehouse.server.logout;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.clients.PublicAddresses;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends the queued logout tokens (OIDC Back-Channel Logout 1.0 §2.5) from any node:
 *
 * <ol>
 *   <li>Claim: one short transaction takes as many due rows as there are free senders (at most {@value #BATCH}),
 *       only rows with attempts left, with {@code FOR UPDATE SKIP LOCKED} (two
 *       nodes never take the same row), moves their {@code due_at} a lease ahead and counts the attempt, then
 *       commits. No database connection is held while sending.
 *   <li>Send: a POST of {@code logout_token} (§2.5) with the JDK client: no redirects followed, connect and response
 *       timeouts, no cookies, the body never read. The URI is checked again first (a dynamically registered client's
 *       host must still resolve to public addresses).
 *   <li>Finish: a 2xx deletes the row (§2.8: 200 or 204 is success); a timeout, an I/O error, 5xx, 408 or 429 waits
 *       a backoff ({@code initial-backoff} tripled per attempt, at most {@code max-backoff}, ±20 % jitter) until
 *       {@code max-attempts}; a redirect, another 4xx or a refused address is final. Each change is conditional on
 *       the attempt count the claim saw, so a node whose lease ran out changes nothing. Every final outcome is
 *       audited ({@code logout.backchannel}).
 * </ol>
 *
 * A node that stops mid-send leaves the row to come back after the lease: at most one duplicate (a fresh {@code jti}),
 * harmless as logging out twice is.
 *
 * <p>One slow or dead relying party must not starve the others (review 2 finding 5):
 *
 * <ul>
 *   <li><b>Per host</b> (this node): at most {@code max-per-host} sends to one host at a time; a due row whose host is
 *       busy waits one poll without spending an attempt, so the rows behind it are claimed.
 *   <li><b>Circuit breaker per client</b> (every node: {@code gh_logout_circuit}): {@code circuit-failures}
 *       consecutive slow or failed sends (timeout, connection error, DNS timeout, 5xx, 408, 429) open the client's
 *       circuit for {@code circuit-open}; meanwhile its due rows take no sender: each spends an attempt
 *       ({@code circuit_open}) and waits until the circuit's end at least, so the bounded retries still end. After
 *       that, the next send tries again: a failure opens the circuit again, a delivery closes it. Opening and
 *       closing are audited ({@code logout.backchannel_circuit}).
 * </ul>
 */
public final class LogoutDeliveries implements AutoCloseable {

    /** Sender threads; a claim never takes more rows than there are free senders (review finding 5). */
    static final int THREADS = 4;

    /** At most this many rows per claim: one per sender. */
    static final int BATCH = THREADS;

    /** A claim looks at this many due rows per sender it may fill, passing over busy hosts and open circuits. */
    static final int CANDIDATES_PER_SENDER = 4;

    /** The host key of a row whose client or URI is gone (it is finished at once, without a request). */
    private static final String NO_HOST = "";

    private static final Logger log = LoggerFactory.getLogger(LogoutDeliveries.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final RegisteredClientRepository clients;
    private final LogoutTokens tokens;
    private final AuditLog audit;
    private final Clock clock;
    private final BackchannelLogoutProperties properties;
    private final HttpClient http;
    private final ExecutorService senders;
    private final SecureRandom random = new SecureRandom();
    private final Semaphore free = new Semaphore(THREADS);
    private final Map<String, Integer> inFlight = new HashMap<>();
    private volatile PublicAddresses.Resolver resolver = PublicAddresses.DELIVERY;

    LogoutDeliveries(
            JdbcTemplate jdbc,
            TransactionTemplate tx,
            RegisteredClientRepository clients,
            LogoutTokens tokens,
            AuditLog audit,
            Clock clock,
            BackchannelLogoutProperties properties) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.tx = Objects.requireNonNull(tx, "tx must not be null");
        this.clients = Objects.requireNonNull(clients, "clients must not be null");
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.properties = Objects.requireNonNull(properties, "properties must not be null");
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(properties.connectTimeout())
                .build();
        this.senders = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "gatehouse-backchannel-logout");
            t.setDaemon(true);
            return t;
        });
    }

    /** A claimed row. */
    record Delivery(
            String id,
            String registeredClientId,
            String username,
            String sid,
            String issuer,
            String reason,
            @Nullable String correlationId,
            Instant createdAt,
            int attempts,
            String host) {

        Delivery withHost(String h) {
            return new Delivery(
                    id, registeredClientId, username, sid, issuer, reason, correlationId, createdAt, attempts, h);
        }
    }

    /** What one claim took: rows to send, and rows of clients whose circuit is open (with its end). */
    private record Claimed(List<Delivery> send, Map<Delivery, Instant> circuitOpen) {}

    /** How a send ended. */
    sealed interface Outcome {
        String label();
    }

    record Delivered(String label) implements Outcome {}

    record Retry(String label) implements Outcome {}

    record Final(String label) implements Outcome {}

    record Skipped(String label) implements Outcome {}

    /**
     * Claims the due deliveries and sends them, waiting for every send to finish.
     *
     * @return how many were claimed
     */
    public int runOnce() {
        if (!properties.enabled()) {
            return 0;
        }
        sweep();
        int taken = 0;
        while (taken < BATCH && free.tryAcquire()) {
            taken++;
        }
        List<Delivery> claimed;
        try {
            claimed = claim(taken);
        } catch (RuntimeException e) {
            free.release(taken);
            throw e;
        }
        free.release(taken - claimed.size());
        List<Future<?>> sends = new ArrayList<>(claimed.size());
        for (Delivery d : claimed) {
            try {
                sends.add(senders.submit(() -> {
                    try {
                        deliver(d);
                    } finally {
                        free.release();
                    }
                }));
            } catch (RejectedExecutionException e) {
                free.release(); // shutting down: the row comes back after its lease
                releaseHost(d.host());
            }
        }
        for (Future<?> f : sends) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return claimed.size();
            } catch (ExecutionException e) {
                log.warn("back-channel logout delivery failed: {}", String.valueOf(e.getCause()));
            }
        }
        return claimed.size();
    }

    /** How many senders are free now: the most rows the next claim takes. */
    int freeSenders() {
        return free.availablePermits();
    }

    List<Delivery> claim() {
        return claim(BATCH);
    }

    /**
     * Claims up to {@code limit} due rows to send, at most {@code max-per-host} per host in flight on this node. Rows
     * of a client whose circuit is open are finished at once ({@code circuit_open}: an attempt spent, due again
     * after the circuit's end at least); rows whose host is busy wait one poll, their attempts untouched.
     *
     * @param limit the most rows to send (free senders)
     * @return the rows to send, each holding a slot of its host until {@link #deliver} ends
     */
    List<Delivery> claim(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        Claimed claimed = claimRows(limit);
        for (Map.Entry<Delivery, Instant> open : claimed.circuitOpen().entrySet()) {
            try {
                finish(open.getKey(), new Retry("circuit_open"), open.getValue());
            } catch (RuntimeException e) {
                // The row comes back after its lease.
                log.warn(
                        "back-channel logout delivery not recorded: {}",
                        e.getClass().getSimpleName());
            }
        }
        return claimed.send();
    }

    private Claimed claimRows(int limit) {
        Instant now = clock.instant();
        List<String> reserved = new ArrayList<>();
        try {
            Claimed claimed = tx.execute(status -> claimInTransaction(limit, now, reserved));
            return claimed == null ? new Claimed(List.of(), Map.of()) : claimed;
        } catch (RuntimeException e) {
            reserved.forEach(this::releaseHost);
            throw e;
        }
    }

    private Claimed claimInTransaction(int limit, Instant now, List<String> reserved) {
        reserved.forEach(this::releaseHost); // a retried transaction starts over
        reserved.clear();
        List<Delivery> due = jdbc.query(
                "SELECT id, registered_client_id, username, sid, issuer, reason, correlation_id, created_at,"
                        + " attempts FROM gh_logout_delivery WHERE due_at <= ? AND attempts < ? ORDER BY due_at"
                        + " FETCH FIRST " + (limit * CANDIDATES_PER_SENDER) + " ROWS ONLY FOR UPDATE SKIP LOCKED",
                (rs, n) -> new Delivery(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getTimestamp(8).toInstant(),
                        rs.getInt(9) + 1,
                        NO_HOST),
                Timestamp.from(now),
                properties.maxAttempts());
        Map<String, Instant> open = openCircuits(now);
        List<Delivery> send = new ArrayList<>();
        Map<Delivery, Instant> circuitOpen = new LinkedHashMap<>();
        List<Delivery> busy = new ArrayList<>();
        for (Delivery d : due) {
            Instant openUntil = open.get(d.registeredClientId());
            if (openUntil != null) {
                circuitOpen.put(d, openUntil);
            } else if (send.size() < limit) {
                String host = host(d.registeredClientId());
                if (reserveHost(host)) {
                    reserved.add(host);
                    send.add(d.withHost(host));
                } else {
                    busy.add(d);
                }
            }
            // Rows beyond the limit are left as they are: due, for the next claim.
        }
        Timestamp leaseEnd = Timestamp.from(now.plus(properties.lease()));
        for (Delivery d : send) {
            jdbc.update(
                    "UPDATE gh_logout_delivery SET due_at = ?, attempts = ? WHERE id = ?",
                    leaseEnd,
                    d.attempts(),
                    d.id());
        }
        for (Delivery d : circuitOpen.keySet()) {
            jdbc.update(
                    "UPDATE gh_logout_delivery SET due_at = ?, attempts = ? WHERE id = ?",
                    leaseEnd,
                    d.attempts(),
                    d.id());
        }
        // A busy host's rows step behind the rows due now, so they do not fill the next claim's candidates.
        Timestamp later = Timestamp.from(now.plus(properties.poll()));
        for (Delivery d : busy) {
            jdbc.update("UPDATE gh_logout_delivery SET due_at = ? WHERE id = ?", later, d.id());
        }
        return new Claimed(List.copyOf(send), circuitOpen);
    }

    /** The clients whose circuit is open now, with its end. */
    private Map<String, Instant> openCircuits(Instant now) {
        Map<String, Instant> open = new HashMap<>();
        jdbc.query(
                "SELECT registered_client_id, open_until FROM gh_logout_circuit WHERE open_until > ?",
                rs -> {
                    open.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                },
                Timestamp.from(now));
        return open;
    }

    /** The host a client's deliveries go to, lower case; {@link #NO_HOST} when it has none (finished at once). */
    private String host(String registeredClientId) {
        try {
            RegisteredClient client = clients.findById(registeredClientId);
            String uri = client == null ? null : BackchannelLogoutUris.uri(client);
            String host = uri == null ? null : URI.create(uri).getHost();
            return host == null ? NO_HOST : host.toLowerCase(Locale.ROOT);
        } catch (RuntimeException e) {
            return NO_HOST; // deliver() finds the same problem and records it
        }
    }

    private boolean reserveHost(String host) {
        if (host.equals(NO_HOST)) {
            return true;
        }
        synchronized (inFlight) {
            int n = inFlight.getOrDefault(host, 0);
            if (n >= properties.maxPerHost()) {
                return false;
            }
            inFlight.put(host, n + 1);
            return true;
        }
    }

    private void releaseHost(String host) {
        if (host.equals(NO_HOST)) {
            return;
        }
        synchronized (inFlight) {
            inFlight.computeIfPresent(host, (h, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * Deletes and audits (failure, {@code result=attempts_exhausted}) the rows whose attempts are used up but that
     * were never finished (the node stopped, or finishing failed), once their lease has run out (review finding 8).
     *
     * @return how many were given up
     */
    int sweep() {
        List<Delivery> exhausted = jdbc.query(
                "SELECT id, registered_client_id, username, sid, issuer, reason, correlation_id, created_at,"
                        + " attempts FROM gh_logout_delivery WHERE due_at <= ? AND attempts >= ?",
                (rs, n) -> new Delivery(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getTimestamp(8).toInstant(),
                        rs.getInt(9),
                        NO_HOST),
                Timestamp.from(clock.instant()),
                properties.maxAttempts());
        for (Delivery d : exhausted) {
            finish(d, new Final("attempts_exhausted"));
        }
        return exhausted.size();
    }

    void deliver(Delivery d) {
        try {
            deliverOrThrow(d);
        } catch (RuntimeException e) {
            // A database or client-store failure: counted as an attempt and retried; the claim stops at max-attempts
            // and the sweep gives the row up (review finding 8).
            log.warn("back-channel logout delivery failed: {}", e.getClass().getSimpleName());
            try {
                finish(d, new Retry("error"));
            } catch (RuntimeException again) {
                log.warn(
                        "back-channel logout delivery not recorded: {}",
                        again.getClass().getSimpleName());
            }
        } finally {
            releaseHost(d.host());
        }
    }

    private void deliverOrThrow(Delivery d) {
        RegisteredClient client = clients.findById(d.registeredClientId());
        String uri = client == null ? null : BackchannelLogoutUris.uri(client);
        if (client == null || uri == null) {
            finish(d, new Skipped(client == null ? "client_deleted" : "uri_removed"));
            return;
        }
        Optional<String> refused = BackchannelLogoutUris.refusedAtSend(client, uri, resolver);
        if (refused.isPresent()) {
            // A lookup that timed out or never started says nothing about the client's endpoint (an anonymous
            // caller can slow the resolver down): no attempt spent, nothing counted in its circuit (review 4
            // finding 1). Only an address that resolved and is refused ends the delivery.
            if (refused.get().contains(BackchannelLogoutUris.RESOLVER_BUSY)) {
                postpone(d, "resolver_busy");
            } else if (refused.get().contains(BackchannelLogoutUris.RESOLVE_TIMEOUT)) {
                postpone(d, "dns_timeout");
            } else {
                finish(d, new Final("address_refused"));
            }
            return;
        }
        String token;
        try {
            token = tokens.encode(d.issuer(), client.getClientId(), d.username(), d.sid());
        } catch (RuntimeException e) {
            finish(d, new Retry("signing"));
            return;
        }
        Outcome outcome = send(uri, token);
        finish(d, outcome);
        try {
            circuit(d.registeredClientId(), client.getClientId(), outcome);
        } catch (RuntimeException e) {
            log.warn("back-channel logout circuit not updated: {}", e.getClass().getSimpleName());
        }
    }

    /** The outcomes of a slow, unreachable or failing endpoint: these count towards opening its client's circuit. */
    private static boolean endpointFailure(Outcome outcome) {
        String label = outcome.label();
        return outcome instanceof Retry
                && (label.equals("timeout")
                        || label.equals("connect")
                        || label.equals("io")
                        || label.startsWith("http_"));
    }

    /**
     * Counts a send in the client's circuit (shared by every node): a delivery closes it, an endpoint failure counts,
     * and the failure that reaches {@code circuit-failures} while the circuit is closed (or its open time is over)
     * opens it. Exactly one node's update opens it, so the opening is audited once.
     */
    void circuit(String registeredClientId, String clientId, Outcome outcome) {
        Instant now = clock.instant();
        if (outcome instanceof Delivered) {
            if (jdbc.update(
                            "DELETE FROM gh_logout_circuit WHERE registered_client_id = ? AND open_until IS NOT NULL",
                            registeredClientId)
                    > 0) {
                audit.record(new AuditEvent(
                        AuditEvents.LOGOUT_BACKCHANNEL_CIRCUIT,
                        AuditEvent.SUCCESS,
                        null,
                        clientId,
                        Map.of("client_id", clientId, "state", "closed")));
            }
            jdbc.update("DELETE FROM gh_logout_circuit WHERE registered_client_id = ?", registeredClientId);
            return;
        }
        if (!endpointFailure(outcome)) {
            return;
        }
        Timestamp at = Timestamp.from(now);
        if (jdbc.update(
                        "UPDATE gh_logout_circuit SET failures = failures + 1, updated_at = ? WHERE"
                                + " registered_client_id = ?",
                        at,
                        registeredClientId)
                == 0) {
            try {
                jdbc.update(
                        "INSERT INTO gh_logout_circuit (registered_client_id, failures, updated_at) VALUES (?, 1, ?)",
                        registeredClientId,
                        at);
            } catch (DuplicateKeyException e) {
                jdbc.update(
                        "UPDATE gh_logout_circuit SET failures = failures + 1, updated_at = ? WHERE"
                                + " registered_client_id = ?",
                        at,
                        registeredClientId);
            }
        }
        Instant openUntil = now.plus(properties.circuitOpen());
        int opened = jdbc.update(
                "UPDATE gh_logout_circuit SET open_until = ? WHERE registered_client_id = ? AND failures >= ? AND"
                        + " (open_until IS NULL OR open_until <= ?)",
                Timestamp.from(openUntil),
                registeredClientId,
                properties.circuitFailures(),
                at);
        if (opened > 0) {
            Integer failures = jdbc.queryForObject(
                    "SELECT failures FROM gh_logout_circuit WHERE registered_client_id = ?",
                    Integer.class,
                    registeredClientId);
            log.warn(
                    "back-channel logout circuit of client {} opened until {} after {} failures",
                    clientId,
                    openUntil,
                    failures);
            audit.record(new AuditEvent(
                    AuditEvents.LOGOUT_BACKCHANNEL_CIRCUIT,
                    AuditEvent.FAILURE,
                    null,
                    clientId,
                    Map.of(
                            "client_id",
                            clientId,
                            "state",
                            "open",
                            "failures",
                            String.valueOf(failures),
                            "result",
                            outcome.label(),
                            "open_until",
                            openUntil.toString())));
        }
    }

    Outcome send(String uri, String token) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(uri))
                .timeout(properties.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "logout_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .build();
        int status;
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            // Closed unread: nothing the endpoint sends is used, and a slow body cannot hold a sender.
            response.body().close();
        } catch (HttpTimeoutException e) {
            return new Retry("timeout");
        } catch (ConnectException e) {
            return new Retry("connect");
        } catch (IOException e) {
            return new Retry("io");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Retry("interrupted");
        } catch (IllegalArgumentException e) {
            return new Final("invalid_uri");
        }
        if (status >= 200 && status < 300) {
            return new Delivered("http_" + status);
        }
        if (status >= 300 && status < 400) {
            return new Final("redirect");
        }
        if (status >= 500 || status == 408 || status == 429) {
            return new Retry("http_" + status);
        }
        return new Final("http_" + status);
    }

    /**
     * Gives the claimed attempt back and makes the row due again after the back-off of its previous attempt: the
     * server could not try, so the bounded attempts stay for real sends. Rows are still given up by age (retention).
     */
    private void postpone(Delivery d, String label) {
        Instant horizon =
                d.createdAt().plus(properties.maxBackoff().multipliedBy(Math.max(properties.maxAttempts(), 1)));
        if (!clock.instant().isBefore(horizon)) {
            // Bounded all the same: a name that never resolves in time is given up (audited) after as long as every
            // attempt's back-off together.
            finish(d, new Final(label));
            return;
        }
        jdbc.update(
                "UPDATE gh_logout_delivery SET due_at = ?, attempts = ?, last_outcome = ? WHERE id = ? AND attempts = ?",
                Timestamp.from(clock.instant().plus(backoff(Math.max(d.attempts() - 1, 0)))),
                d.attempts() - 1,
                label,
                d.id(),
                d.attempts());
    }

    /** Uses another resolver pool (tests: a saturated one). */
    void resolver(PublicAddresses.Resolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver must not be null");
    }

    private void finish(Delivery d, Outcome outcome) {
        finish(d, outcome, null);
    }

    private void finish(Delivery d, Outcome outcome, @Nullable Instant notBefore) {
        boolean retry = outcome instanceof Retry && d.attempts() < properties.maxAttempts();
        int changed;
        if (retry) {
            Instant due = clock.instant().plus(backoff(d.attempts()));
            if (notBefore != null && due.isBefore(notBefore)) {
                due = notBefore;
            }
            changed = jdbc.update(
                    "UPDATE gh_logout_delivery SET due_at = ?, last_outcome = ? WHERE id = ? AND attempts = ?",
                    Timestamp.from(due),
                    outcome.label(),
                    d.id(),
                    d.attempts());
        } else {
            changed = jdbc.update("DELETE FROM gh_logout_delivery WHERE id = ? AND attempts = ?", d.id(), d.attempts());
        }
        if (changed == 0) {
            // Another node claimed the row after this node's lease ran out; its outcome is the one audited.
            return;
        }
        if (retry) {
            return;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("client_id", clientId(d.registeredClientId()));
        details.put("reason", d.reason());
        details.put("sid", d.sid());
        details.put("attempts", Integer.toString(d.attempts()));
        details.put("result", outcome.label());
        if (d.correlationId() != null) {
            details.put("trigger_correlation_id", d.correlationId());
        }
        String result = outcome instanceof Delivered
                ? AuditEvent.SUCCESS
                : outcome instanceof Skipped ? AuditEvent.DENIED : AuditEvent.FAILURE;
        audit.record(new AuditEvent(AuditEvents.LOGOUT_BACKCHANNEL, result, null, d.username(), details));
    }

    private String clientId(String registeredClientId) {
        try {
            RegisteredClient client = clients.findById(registeredClientId);
            return client == null ? registeredClientId : client.getClientId();
        } catch (RuntimeException e) {
            return registeredClientId;
        }
    }

    /** {@code initial-backoff · 3^(n-1)}, at most {@code max-backoff}, ±20 %. */
    Duration backoff(int attempts) {
        Duration wait = properties.initialBackoff();
        for (int i = 1; i < attempts && wait.compareTo(properties.maxBackoff()) < 0; i++) {
            wait = wait.multipliedBy(3);
        }
        if (wait.compareTo(properties.maxBackoff()) > 0) {
            wait = properties.maxBackoff();
        }
        long millis = wait.toMillis();
        long jitter = millis / 5;
        return Duration.ofMillis(millis - jitter + (jitter == 0 ? 0 : random.nextLong(2 * jitter + 1)));
    }

    /**
     * Forgets relying-party sessions last given an ID token longer ago than the retention.
     *
     * @return how many were deleted
     */
    public int purge() {
        Timestamp before = Timestamp.from(clock.instant().minus(properties.retention()));
        // A circuit not touched for that long (its client deleted, or never sent to again) is forgotten too.
        jdbc.update("DELETE FROM gh_logout_circuit WHERE updated_at < ?", before);
        return jdbc.update("DELETE FROM gh_rp_session WHERE last_seen < ?", before);
    }

    @Override
    public void close() {
        senders.shutdownNow();
    }
}
