package dev.gatehouse.core.policy.rbac;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyEngine;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Answers requests from an {@link RbacModel}: permit if any role the subject holds — those in the request
 * ({@code subject.roles}, e.g. from a token) plus those the model assigns to the subject id globally or in
 * the request's tenant — grants {@code resource.type:action}; otherwise not applicable (a deny at the edge).
 * An action the model does not declare is indeterminate ("unknown action"), never a permit, even under a
 * {@code *} permission. Roles the model does not define grant nothing. Immutable and thread-safe.
 */
public final class RbacEngine implements PolicyEngine {

    private final RbacModel model;

    private RbacEngine(RbacModel model) {
        this.model = Objects.requireNonNull(model, "model must not be null");
    }

    /**
     * An engine over a model.
     *
     * @param model the model
     * @return the engine
     */
    public static RbacEngine of(RbacModel model) {
        return new RbacEngine(model);
    }

    @Override
    public Evaluation evaluate(AccessRequest request) {
        String type = request.resource().type();
        String action = request.action();
        if (!model.actions().isEmpty() && !model.actions().contains(action)) {
            return Evaluation.indeterminate(model.id(), null, "unknown action '" + action + "'");
        }
        for (String role : request.subject().roles()) {
            if (model.grants(role, type, action)) {
                return permit(role, type, action);
            }
        }
        for (String role : model.assignedRoles(request.subject().id(), request.tenant())) {
            if (model.grants(role, type, action)) {
                return permit(role, type, action);
            }
        }
        return Evaluation.notApplicable(model.id(), "no role of the subject grants " + type + ":" + action);
    }

    private Evaluation permit(String role, String type, String action) {
        return Evaluation.permit(model.id(), "role:" + role, "role '" + role + "' grants " + type + ":" + action);
    }

    /**
     * Every role the subject of a request holds, expanded through inheritance; for explanations and tokens.
     *
     * @param request the request
     * @return the effective roles, sorted
     */
    public Set<String> effectiveRoles(AccessRequest request) {
        Set<String> out = new TreeSet<>();
        for (String r : request.subject().roles()) {
            out.addAll(model.closureOf(r));
        }
        for (String r : model.assignedRoles(request.subject().id(), request.tenant())) {
            out.addAll(model.closureOf(r));
        }
        return out;
    }

    /**
     * The model.
     *
     * @return the model
     */
    public RbacModel model() {
        return model;
    }

    @Override
    public String id() {
        return model.id();
    }
}
