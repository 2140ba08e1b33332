package dev.gatehouse.core.jwt;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link KeyRing#rotateWhenPublished()} did: rotated, or left the active key signing because the next key has
 * not been published long enough for every verifier to be able to fetch it.
 */
public sealed interface Rotation {

    /**
     * The next key signs now; the key that signed before is retiring (still published).
     *
     * @param previousKid the key that signed before
     * @param activeKid the key that signs now
     */
    record Rotated(String previousKid, String activeKid) implements Rotation {

        /** Checks required fields. */
        public Rotated {
            Objects.requireNonNull(previousKid, "previousKid must not be null");
            Objects.requireNonNull(activeKid, "activeKid must not be null");
        }
    }

    /**
     * Nothing changed but, perhaps, a fresh next key: the next key was published at {@code publishedAt} and may sign
     * from {@code signsFrom} ({@code publishedAt} plus {@link KeyRing#publicationDelay()}). Retry then.
     *
     * @param activeKid the key that still signs
     * @param nextKid the key that will sign
     * @param publishedAt when the next key was first published
     * @param signsFrom the earliest time the next key may sign
     */
    record NotYetPublished(String activeKid, String nextKid, Instant publishedAt, Instant signsFrom)
            implements Rotation {

        /** Checks required fields. */
        public NotYetPublished {
            Objects.requireNonNull(activeKid, "activeKid must not be null");
            Objects.requireNonNull(nextKid, "nextKid must not be null");
            Objects.requireNonNull(publishedAt, "publishedAt must not be null");
            Objects.requireNonNull(signsFrom, "signsFrom must not be null");
        }
    }
}
