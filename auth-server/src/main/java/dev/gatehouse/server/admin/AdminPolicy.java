package dev.gatehouse.server.admin;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.CombiningAlgorithm;
import dev.gatehouse.core.policy.CompositePolicyEngine;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyEngine;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import dev.gatehouse.core.policy.rbac.RbacEngine;
import dev.gatehouse.core.policy.rbac.RbacModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Who may do what in the admin API: auth-core's RBAC model behind a fail-closed {@link PolicyDecisionPoint}. Resource
 * types are {@code user}, {@code session}, {@code role}, {@code client} and {@code key}; actions are {@code read}
 * (GET) and {@code write} (anything else). The roles the caller holds are the ones its token conveys (see {@link
 * AdminTokenConverter}): nothing unless the token carries the admin scope.
 *
 * <ul>
 *   <li>{@code admin}: every action on every admin resource ({@code *:*});
 *   <li>{@code auditor}: read only ({@code *:read});
 *   <li>{@code admin-client}: reserved for client-credentials tokens of a client granted the admin scope (an operator
 *       service); inherits {@code admin}. It cannot be assigned to users.
 * </ul>
 *
 * <p>This model is fixed in code on purpose and does not read the roles stored in the database ({@link
 * RoleAdministration}): those carry permissions for relying parties, in the same {@code resource:action} syntax, and
 * must not turn into admin grants; nor does a cached model then have to follow changes across nodes. The three roles
 * above are stored as built-in roles with exactly {@link #PERMISSIONS}, which the admin API will not change.
 */
final class AdminPolicy {

    /** The role that may do everything. */
    static final String ADMIN = "admin";
    /** The read-only role. */
    static final String AUDITOR = "auditor";
    /** Conveyed only by client-credentials tokens with the admin scope. */
    static final String ADMIN_CLIENT = "admin-client";

    /** Role -> its own permissions; the stored built-in roles carry exactly these (migration V8). */
    static final Map<String, List<String>> PERMISSIONS;

    static {
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put(ADMIN, List.of("*:*"));
        p.put(AUDITOR, List.of("*:read"));
        p.put(ADMIN_CLIENT, List.of("*:*"));
        PERMISSIONS = java.util.Collections.unmodifiableMap(p);
    }

    /**
     * The decision timer's name. Not {@code gatehouse.policy.decisions}: auth-spring-starter registers a counter of
     * that name for an application's own policy decision point (also on this server, when {@code gatehouse.policy.*}
     * is set), and one Prometheus name cannot be both a counter and a timer. Prometheus: {@code
     * gatehouse_admin_decisions_seconds_count}, {@code _sum}, {@code _max}.
     */
    static final String DECISIONS = "gatehouse.admin.decisions";

    private final PolicyDecisionPoint pdp;
    private final Timer permits;
    private final Timer denies;

    /**
     * Creates the policy.
     *
     * @param meters where the decision timer {@value #DECISIONS} (tags {@code engine=rbac} or
     *     {@code rbac+opa}, {@code policy=admin}, {@code outcome=permit|deny}) goes
     * @param opa an Open Policy Agent that may veto, or {@code null}
     */
    AdminPolicy(MeterRegistry meters, @Nullable PolicyEngine opa) {
        String engines = opa == null ? "rbac" : "rbac+opa";
        this.permits = decisionTimer(meters, "permit", engines);
        this.denies = decisionTimer(meters, "deny", engines);
        RbacModel model = RbacModel.builder("gatehouse-admin")
                .action("read")
                .action("write")
                .role(ADMIN, List.of(), "*:*")
                .role(AUDITOR, List.of(), "*:read")
                .role(ADMIN_CLIENT, List.of(ADMIN))
                .build();
        PolicyEngine roles = RbacEngine.of(model);
        // With OPA: the roles grant and OPA may only veto. RBAC answers "not applicable", not "deny", when no role
        // grants an action, so an OPA permit must not count: auth-core's veto reads it as "no opinion", and OPA can
        // only take away (or fail, which denies) what the roles grant.
        this.pdp = PolicyDecisionPoint.of(
                opa == null
                        ? roles
                        : CompositePolicyEngine.builder()
                                .id("gatehouse-admin")
                                .algorithm(CombiningAlgorithm.DENY_OVERRIDES)
                                .add(roles)
                                .veto(opa)
                                .build());
    }

    /**
     * Decides whether the caller may do {@code action} on a resource.
     *
     * @param caller the authenticated caller
     * @param resourceType {@code user}, {@code client}, ...
     * @param resourceId the target, or empty
     * @param action {@code read} or {@code write}
     * @return the decision (a deny unless the engine permitted)
     */
    Decision decide(AdminAuthentication caller, String resourceType, String resourceId, String action) {
        Objects.requireNonNull(caller, "caller must not be null");
        AccessRequest request = AccessRequest.builder()
                .subject(new Subject(
                        caller.getName(),
                        caller.roles(),
                        Map.of(
                                "kind", caller.kind().name().toLowerCase(java.util.Locale.ROOT),
                                "client_id", caller.clientId(),
                                "scopes", List.copyOf(caller.scopes()))))
                .action(action)
                .resource(Resource.of(resourceType, resourceId))
                .build();
        long start = System.nanoTime();
        Decision decision = pdp.decide(request);
        (decision.permitted() ? permits : denies).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return decision;
    }

    private static Timer decisionTimer(MeterRegistry meters, String outcome, String engines) {
        return Timer.builder(DECISIONS)
                .description("Policy decisions of the server's own policy decision point, by outcome")
                .tag("engine", engines)
                .tag("policy", "admin")
                .tag("outcome", outcome)
                .register(meters);
    }
}
