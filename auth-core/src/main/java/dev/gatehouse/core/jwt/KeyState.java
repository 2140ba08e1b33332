package dev.gatehouse.core.jwt;

/**
 * Life cycle of a signing key in a {@link KeyRing}: NEXT, then ACTIVE, then RETIRING, then RETIRED.
 * Publishing a key before it signs, and after it stops, means no verifier with a cached JWKS and no token
 * in flight fails across a rotation.
 */
public enum KeyState {
    /** Published in the JWKS so caches learn it, not yet signing. */
    NEXT,
    /** The one key that signs new tokens; published. */
    ACTIVE,
    /** No longer signs; still published so tokens it signed verify until they expire. */
    RETIRING,
    /** Removed: neither signs nor verifies. */
    RETIRED
}
