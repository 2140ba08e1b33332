package dev.gatehouse.core.policy.opa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.styra.opa.wasm.OpaPolicy;
import dev.gatehouse.core.internal.OptionalLibrary;
import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyEngine;
import dev.gatehouse.core.policy.PolicyException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a Rego policy compiled to WebAssembly ({@code opa build -t wasm -e ENTRYPOINT}) inside the JVM
 * with opa-java-wasm (on the Chicory runtime): no sidecar, no network hop.
 *
 * <p>Designed around that library's limits: an {@code OpaPolicy} is not thread-safe and takes long to build,
 * so a fixed pool of instances is built at start-up, each with the bundle's {@code data.json} loaded once
 * and kept (its own {@code OpaPolicyPool} would wipe data on every return); the entrypoint is checked at
 * build time; a builtin the Wasm runtime lacks fails only when evaluated, so every evaluation failure is
 * indeterminate (a deny) and the instance is replaced, in case the failure left it in a bad state. A caller
 * that cannot get an instance within {@link Builder#borrowTimeout} is denied. Thread-safe.
 */
public final class OpaWasmEngine implements PolicyEngine {

    private static final Logger LOG = LoggerFactory.getLogger(OpaWasmEngine.class);

    private final String id;
    private final String entrypoint;
    private final byte[] wasm;
    private final @Nullable String data;
    private final Duration borrowTimeout;
    private final BlockingQueue<OpaPolicy> pool;
    private final ObjectMapper mapper = new ObjectMapper();

    private OpaWasmEngine(Builder b, byte[] wasm, @Nullable String data) {
        this.entrypoint = b.entrypoint;
        this.id = b.id == null ? "opa-wasm:" + b.entrypoint : b.id;
        this.wasm = wasm;
        this.data = data;
        this.borrowTimeout = b.borrowTimeout;
        this.pool = new ArrayBlockingQueue<>(b.poolSize);
        for (int i = 0; i < b.poolSize; i++) {
            pool.add(newInstance());
        }
    }

    /**
     * A builder: pool of one instance per CPU, 1 second borrow timeout.
     *
     * @return the builder
     */
    public static Builder builder() {
        if (!OptionalLibrary.OPA_WASM.isPresent()) {
            throw new PolicyException(
                    PolicyException.Reason.LIBRARY_MISSING,
                    OptionalLibrary.OPA_WASM.missingMessage("OPA Wasm policies (OpaWasmEngine)"));
        }
        return new Builder();
    }

    private OpaPolicy newInstance() {
        OpaPolicy p;
        try {
            p = OpaPolicy.builder().withPolicy(wasm).build();
        } catch (RuntimeException e) {
            throw new PolicyException(
                    PolicyException.Reason.INVALID_POLICY, "cannot load the Wasm policy: " + e.getMessage(), e);
        }
        if (!p.entrypoints().containsKey(entrypoint)) {
            throw new PolicyException(
                    PolicyException.Reason.INVALID_POLICY,
                    "the Wasm policy has no entrypoint '" + entrypoint + "'; it has "
                            + p.entrypoints().keySet() + " (build with `opa build -t wasm -e " + entrypoint + "`)");
        }
        p.entrypoint(entrypoint);
        if (data != null) {
            try {
                p.data(data);
            } catch (RuntimeException e) {
                throw new PolicyException(
                        PolicyException.Reason.INVALID_POLICY, "cannot load the bundle's data.json", e);
            }
        }
        return p;
    }

    @Override
    public Evaluation evaluate(AccessRequest request) {
        String input = OpaResults.json(mapper, request.toMap());
        if (input == null) {
            return Evaluation.indeterminate(id, entrypoint, "cannot encode the request as JSON");
        }
        OpaPolicy p;
        try {
            p = pool.poll(borrowTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Evaluation.indeterminate(id, entrypoint, "interrupted while waiting for a Wasm instance");
        }
        if (p == null) {
            return Evaluation.indeterminate(
                    id, entrypoint, "no Wasm instance free within " + borrowTimeout.toMillis() + " ms");
        }
        boolean healthy = false;
        String out;
        try {
            out = p.evaluate(input);
            healthy = true;
        } catch (RuntimeException | StackOverflowError e) {
            return Evaluation.indeterminate(
                    id, entrypoint, "Wasm evaluation failed (" + e.getClass().getSimpleName() + ")");
        } finally {
            release(p, healthy);
        }
        return interpret(out);
    }

    private void release(OpaPolicy p, boolean healthy) {
        if (healthy) {
            pool.offer(p);
            return;
        }
        try {
            pool.offer(newInstance());
        } catch (RuntimeException e) {
            LOG.error("cannot replace a failed Wasm instance of {}; the pool shrinks", id, e);
        }
    }

    private Evaluation interpret(String out) {
        return OpaResults.interpretResultSet(id, entrypoint, mapper, out);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return "OpaWasmEngine[" + entrypoint + ", pool " + pool.remainingCapacity() + "+" + pool.size() + "]";
    }

    /** Builds an {@link OpaWasmEngine}. Not thread-safe. */
    public static final class Builder {
        private @Nullable OpaBundle bundle;
        private String entrypoint = "authz/allow";
        private @Nullable String id;
        private int poolSize = Math.max(1, Runtime.getRuntime().availableProcessors());
        private Duration borrowTimeout = Duration.ofSeconds(1);

        private Builder() {}

        /**
         * Reads {@code policy.wasm} and {@code data.json} from a bundle made by {@code opa build -t wasm}.
         *
         * @param bundleTarGz the bundle file
         * @return this builder
         */
        public Builder bundle(Path bundleTarGz) {
            this.bundle = OpaBundle.read(Objects.requireNonNull(bundleTarGz, "bundle must not be null"));
            return this;
        }

        /**
         * Uses an already-unpacked bundle.
         *
         * @param bundle policy and data
         * @return this builder
         */
        public Builder bundle(OpaBundle bundle) {
            this.bundle = Objects.requireNonNull(bundle, "bundle must not be null");
            return this;
        }

        /**
         * The entrypoint, as given to {@code opa build -e}, e.g. {@code authz/allow}; default {@code
         * authz/allow}.
         *
         * @param entrypoint the entrypoint
         * @return this builder
         */
        public Builder entrypoint(String entrypoint) {
            Objects.requireNonNull(entrypoint, "entrypoint must not be null");
            this.entrypoint = entrypoint.startsWith("/") ? entrypoint.substring(1) : entrypoint;
            return this;
        }

        /**
         * The id in decisions; default {@code opa-wasm:<entrypoint>}.
         *
         * @param id the id
         * @return this builder
         */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id must not be null");
            return this;
        }

        /**
         * Instances built at start-up (each evaluates one request at a time); default one per CPU.
         *
         * @param poolSize 1 to 256
         * @return this builder
         */
        public Builder poolSize(int poolSize) {
            if (poolSize < 1 || poolSize > 256) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "poolSize must be 1 to 256");
            }
            this.poolSize = poolSize;
            return this;
        }

        /**
         * How long a caller waits for a free instance before being denied; default 1 second.
         *
         * @param borrowTimeout positive duration
         * @return this builder
         */
        public Builder borrowTimeout(Duration borrowTimeout) {
            Objects.requireNonNull(borrowTimeout, "borrowTimeout must not be null");
            if (borrowTimeout.isNegative() || borrowTimeout.isZero()) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "borrowTimeout must be positive");
            }
            this.borrowTimeout = borrowTimeout;
            return this;
        }

        /**
         * Builds the pool, checking that the entrypoint exists.
         *
         * @return the engine
         * @throws PolicyException ({@code policy.invalid_policy}) without a bundle, or if the entrypoint is
         *     missing
         */
        public OpaWasmEngine build() {
            if (bundle == null) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "bundle is required");
            }
            return new OpaWasmEngine(this, bundle.wasm(), bundle.dataJson());
        }
    }
}
