package dev.gatehouse.core.password;

import java.util.Objects;

/**
 * Test support: holds every slot of a {@link PasswordHasher}'s {@link HashingGate} until closed, so a test sees the
 * gate full (the next hash or verification is refused with {@link PasswordException.Reason#BUSY} once its wait runs
 * out) without racing real computations or sleeping. Shared with auth-server's tests through the test-jar.
 */
public final class HeldHashingSlots implements AutoCloseable {

    private final HashingGate gate;
    private final int held;

    private HeldHashingSlots(HashingGate gate) {
        this.gate = gate;
        this.held = gate.takeAll();
    }

    /**
     * Takes every free slot of the hasher's gate.
     *
     * @param hasher the hasher
     * @return the held slots; close to give them back
     */
    public static HeldHashingSlots holdAll(PasswordHasher hasher) {
        return new HeldHashingSlots(
                Objects.requireNonNull(hasher, "hasher must not be null").gate());
    }

    /**
     * How many slots are held.
     *
     * @return the count
     */
    public int held() {
        return held;
    }

    @Override
    public void close() {
        gate.giveBack(held);
    }
}
