package dev.gatehouse.server.passkeys;

import org.jspecify.annotations.Nullable;

/**
 * An assertion whose signature counter is not greater than the one stored (and not both zero): WebAuthn Level 3
 * §6.1.1 and §7.2 step 21 say the authenticator may be cloned. The store refused the update, so nothing changed;
 * the sign-in is refused and audited ({@code PASSKEY_CLONE_SUSPECTED}).
 */
public class SignatureCounterRegression extends PasskeyCeremonyException {

    private static final long serialVersionUID = 1L;

    private final String credentialRef;
    private final @Nullable String owner;

    /**
     * Creates the exception, its owner unknown.
     *
     * @param credentialRef the credential as audit names it ({@link PasskeyIds#ref(byte[])}), never the id itself
     */
    public SignatureCounterRegression(String credentialRef) {
        this(credentialRef, null);
    }

    /**
     * Creates the exception.
     *
     * @param credentialRef the credential as audit names it ({@link PasskeyIds#ref(byte[])}), never the id itself
     * @param owner the username the credential is registered to, if known (the audit's subject: on a first-step
     *     sign-in nobody is signed in yet)
     */
    public SignatureCounterRegression(String credentialRef, @Nullable String owner) {
        super(
                Reason.COUNTER,
                "The passkey's signature counter did not increase (credential " + credentialRef
                        + "); the authenticator may be cloned (WebAuthn Level 3 §6.1.1)");
        this.credentialRef = credentialRef;
        this.owner = owner;
    }

    /**
     * The username the credential is registered to, for the audit.
     *
     * @return the owner, or {@code null} if unknown
     */
    public @Nullable String owner() {
        return owner;
    }

    /**
     * The credential, as audit details name it: the first 16 hex characters of the SHA-256 of the raw id.
     *
     * @return the reference
     */
    public String credentialRef() {
        return credentialRef;
    }
}
