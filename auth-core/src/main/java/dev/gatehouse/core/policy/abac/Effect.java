package dev.gatehouse.core.policy.abac;

/** What a matching ABAC rule decides. */
public enum Effect {
    /** The rule allows the request. */
    PERMIT,
    /** The rule refuses the request. */
    DENY
}
