package dev.gatehouse.server.keys;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.gatehouse.core.jwt.KeyRing;
import java.text.ParseException;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The JWK Set endpoint's source: the ring's published public keys (NEXT, ACTIVE, RETIRING), straight from {@link
 * KeyRing#jwksJson()}. Private parts never leave the ring. The parsed set is cached until the ring's JSON changes.
 */
final class KeyRingJwkSource implements JWKSource<SecurityContext> {

    private final KeyRing ring;
    private volatile @Nullable Cached cached;

    private record Cached(String json, JWKSet set) {}

    /**
     * Creates the source.
     *
     * @param ring the key ring
     */
    KeyRingJwkSource(KeyRing ring) {
        this.ring = Objects.requireNonNull(ring, "ring must not be null");
    }

    @Override
    public List<JWK> get(JWKSelector selector, @Nullable SecurityContext context) {
        return selector.select(current());
    }

    private JWKSet current() {
        String json = ring.jwksJson();
        Cached c = cached;
        if (c != null && c.json().equals(json)) {
            return c.set();
        }
        try {
            JWKSet set = JWKSet.parse(json);
            cached = new Cached(json, set);
            return set;
        } catch (ParseException e) {
            throw new IllegalStateException("key ring produced an invalid JWK Set", e);
        }
    }
}
