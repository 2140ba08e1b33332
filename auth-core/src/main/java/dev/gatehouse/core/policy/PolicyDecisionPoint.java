package dev.gatehouse.core.policy;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one call an application makes: {@code pdp.decide(request)} returns a {@link Decision} that is a permit
 * only if the engine answered permit. Everything else — deny, not applicable, indeterminate, an exception
 * escaping the engine — is a deny with a reason. Failures are counted and logged with the subject id,
 * action and resource type only: attribute values and context (which may hold tokens or personal data)
 * never reach the log. Immutable apart from its counters; thread-safe.
 *
 * <pre>{@code
 * PolicyDecisionPoint pdp = PolicyDecisionPoint.of(
 *         CachingPolicyEngine.builder(CompositePolicyEngine.builder().add(rbac).add(abac).build()).build());
 * if (!pdp.decide(request).permitted()) throw forbidden();
 * }</pre>
 */
public final class PolicyDecisionPoint {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyDecisionPoint.class);

    /** The policy id of the decisions the decision point makes itself (no subject, no request). */
    public static final String ID = "decision-point";

    private final PolicyEngine engine;
    private final LongAdder permits = new LongAdder();
    private final LongAdder denies = new LongAdder();
    private final LongAdder failures = new LongAdder();

    private PolicyDecisionPoint(PolicyEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine must not be null");
    }

    /**
     * A decision point over an engine.
     *
     * @param engine the engine (often a {@link CachingPolicyEngine} over a {@link CompositePolicyEngine})
     * @return the decision point
     */
    public static PolicyDecisionPoint of(PolicyEngine engine) {
        return new PolicyDecisionPoint(engine);
    }

    /**
     * Decides a request, failing closed.
     *
     * @param request the request
     * @return a permit, or a deny with a reason
     */
    public Decision decide(AccessRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        Evaluation e = evaluateSafely(engine, request);
        if (e.effect() == Evaluation.Effect.PERMIT) {
            permits.increment();
        } else {
            denies.increment();
            if (e.effect() == Evaluation.Effect.INDETERMINATE) {
                failures.increment();
            }
        }
        return e.toDecision();
    }

    /**
     * Decides a request that the caller assembles from outside input (claims, path variables, attributes), failing
     * closed when it cannot be assembled: an exception from {@code request} is a deny counted as a failure, logged
     * by its type only (its message may quote the input), exactly as an exception escaping the engine.
     *
     * @param request builds the request
     * @return a permit, or a deny with a reason
     */
    public Decision decide(Supplier<AccessRequest> request) {
        Objects.requireNonNull(request, "request must not be null");
        AccessRequest built;
        try {
            built = Objects.requireNonNull(request.get(), "the request supplier returned null");
        } catch (RuntimeException ex) {
            denies.increment();
            failures.increment();
            LOG.warn(
                    "an access request could not be assembled ({})",
                    ex.getClass().getSimpleName());
            return Evaluation.indeterminate(ID, null, "request could not be evaluated")
                    .toDecision();
        }
        return decide(built);
    }

    /**
     * The answer for a caller with no authenticated subject: a deny, counted, without asking the engine (an engine
     * has no subject to decide on). Enforcement points ask for it here so that every {@link Decision} comes from the
     * decision point.
     *
     * @return a deny whose reason is {@code not authenticated}
     */
    public Decision unauthenticated() {
        denies.increment();
        return Evaluation.deny(ID, null, "not authenticated").toDecision();
    }

    /**
     * Decisions so far: permits, denies, and how many of the denies were indeterminate (engine failures).
     *
     * @return a snapshot
     */
    public Stats stats() {
        return new Stats(permits.sum(), denies.sum(), failures.sum());
    }

    /**
     * Counts of decisions.
     *
     * @param permits permits returned
     * @param denies denies returned, including failures
     * @param failures denies caused by an engine that could not decide
     */
    public record Stats(long permits, long denies, long failures) {}

    /**
     * Runs an engine, turning a {@code null} result or an escaping exception into an indeterminate result,
     * and logging indeterminate results without request values.
     *
     * @param engine the engine
     * @param request the request
     * @return the evaluation, never {@code null}
     */
    static Evaluation evaluateSafely(PolicyEngine engine, AccessRequest request) {
        Evaluation e;
        try {
            e = engine.evaluate(request);
            if (e == null) {
                e = Evaluation.indeterminate(engine.id(), null, "engine returned no result");
            }
        } catch (RuntimeException | StackOverflowError ex) {
            // The exception's message may quote the input; only its type is kept.
            e = Evaluation.indeterminate(
                    engine.id(), null, "evaluation failed (" + ex.getClass().getSimpleName() + ")");
        }
        if (e.effect() == Evaluation.Effect.INDETERMINATE && LOG.isWarnEnabled()) {
            LOG.warn(
                    "policy {} could not decide {} {} on {}: {}",
                    e.policy(),
                    loggable(request.subject().id()),
                    loggable(request.action()),
                    loggable(request.resource().type()),
                    e.reason());
        }
        return e;
    }

    private static String loggable(String s) {
        // Identifiers only, cut and stripped of control characters so a request cannot forge log lines.
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
