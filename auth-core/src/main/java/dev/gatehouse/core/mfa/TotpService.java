package dev.gatehouse.core.mfa;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.internal.OptionalLibrary;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * TOTP as a second factor (RFC 6238): enrolment, confirmation by a first code, verification with replay
 * protection. Built once with {@link #builder()}, then immutable and thread-safe.
 *
 * <pre>{@code
 * TotpService totp = TotpService.builder().issuer("ACME Co").envelope(envelope).store(store).build();
 * TotpEnrolment e = totp.enrol(user.id(), user.email());   // show e.qrDataUri() and e.secretBase32() once
 * totp.confirm(user.id(), typedCode);                      // Accepted makes the factor usable
 * TotpVerification v = totp.verify(user.id(), typedCode);  // at each sign-in
 * }</pre>
 *
 * <p>Safe defaults: 160-bit secrets from {@link SecureRandom}; HMAC-SHA-1, 6 digits, 30 s, one step either
 * side; secrets stored only sealed by the {@link Envelope} under context {@code "totp:" + userId} and
 * re-sealed under the current master key on use; each time step accepted at most once per user (RFC 6238
 * §5.2), enforced by a compare-and-set on the store so concurrent uses of one code cannot both succeed. Rate
 * limiting is the caller's job: put {@code dev.gatehouse.core.throttle.AttemptLimiter} in front of {@link
 * #verify} (a 6-digit code with a window of 1 falls to about 1 in 333,000 guesses).
 */
public final class TotpService {

    static final int MAX_USER_ID_LENGTH = 255;
    private static final int MAX_CAS_ATTEMPTS = 16;

    private final Envelope envelope;
    private final TotpFactorStore store;
    private final Clock clock;
    private final SecureRandom random;
    private final TotpParameters parameters;
    private final String issuer;
    private final int secretLength;
    private final int qrSize;
    private final ConcurrentMap<TotpParameters, Totp> calculators = new ConcurrentHashMap<>();

    private TotpService(Builder b) {
        this.envelope = Objects.requireNonNull(b.envelope, "envelope must be set");
        this.issuer = Objects.requireNonNull(b.issuer, "issuer must be set");
        this.store = b.store;
        this.clock = b.clock;
        this.random = b.random;
        this.parameters = b.parameters;
        this.secretLength = b.secretLength;
        this.qrSize = b.qrSize;
    }

    /**
     * A builder; {@link Builder#issuer} and {@link Builder#envelope} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        MfaException.requireLibrary(OptionalLibrary.GOOGLEAUTH, "TOTP codes (TotpService)");
        MfaException.requireLibrary(OptionalLibrary.ZXING, "TOTP enrolment QR codes (TotpService)");
        return new Builder();
    }

    /**
     * Starts (or restarts) enrolment: a new secret, stored sealed as a pending factor, and what to show the
     * user. A pending factor of the same user is replaced.
     *
     * @param userId the user's stable id
     * @param accountName the account name shown in the app, e.g. the e-mail address
     * @return the secret, otpauth URI and QR code to show once
     * @throws MfaException {@code ALREADY_ENROLLED} if the user has a confirmed factor (remove it first),
     *     {@code INVALID_LABEL} if the account name cannot go into an otpauth URI
     */
    public TotpEnrolment enrol(String userId, String accountName) {
        checkUserId(userId);
        OtpAuthUri.checkLabelPart(accountName, "account", OtpAuthUri.MAX_ACCOUNT_LENGTH);
        TotpSecret secret = TotpSecret.generate(random, secretLength);
        try {
            byte[] raw = secret.bytes();
            String sealed;
            try {
                sealed = envelope.seal(raw, context(userId));
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
            String uri = OtpAuthUri.totp(issuer, accountName, secret, parameters);
            byte[] png = QrCode.png(uri, qrSize);
            TotpFactor pending = new TotpFactor(userId, sealed, parameters, false, -1, 0, clock.instant());
            if (!store.savePending(pending)) {
                throw new MfaException(
                        MfaException.Reason.ALREADY_ENROLLED,
                        "user already has a confirmed TOTP factor; remove it before enrolling a new one");
            }
            return new TotpEnrolment(userId, secret.base32(), uri, png);
        } finally {
            secret.destroy();
        }
    }

    /**
     * Confirms a pending enrolment with the first code from the user's app; only then is the factor usable.
     * The step of this code is recorded, so it cannot be used again to sign in.
     *
     * @param userId the user
     * @param code the code as typed
     * @return {@link TotpVerification.Accepted}, or {@link TotpVerification.Rejected} saying why ({@code
     *     NOT_ENROLLED}, {@code ALREADY_CONFIRMED}, {@code INVALID_CODE}, {@code REPLAYED})
     */
    public TotpVerification confirm(String userId, CharSequence code) {
        return check(userId, code, false);
    }

    /**
     * Verifies a code at sign-in against a confirmed factor, refusing a step already used (RFC 6238 §5.2).
     *
     * @param userId the user
     * @param code the code as typed (spaces ignored)
     * @return {@link TotpVerification.Accepted} with the step, or {@link TotpVerification.Rejected} saying why
     */
    public TotpVerification verify(String userId, CharSequence code) {
        return check(userId, code, true);
    }

    /**
     * Where a user stands.
     *
     * @param userId the user
     * @return {@code NONE}, {@code PENDING} or {@code CONFIRMED}
     */
    public FactorStatus status(String userId) {
        checkUserId(userId);
        return store.find(userId)
                .map(f -> f.confirmed() ? FactorStatus.CONFIRMED : FactorStatus.PENDING)
                .orElse(FactorStatus.NONE);
    }

    /**
     * Removes a user's factor (after re-authentication, or by an administrator).
     *
     * @param userId the user
     * @return whether there was one
     */
    public boolean remove(String userId) {
        checkUserId(userId);
        return store.delete(userId);
    }

    /**
     * The parameters new enrolments get.
     *
     * @return the parameters
     */
    public TotpParameters parameters() {
        return parameters;
    }

    private TotpVerification check(String userId, CharSequence code, boolean wantConfirmed) {
        checkUserId(userId);
        Objects.requireNonNull(code, "code must not be null");
        for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
            Optional<TotpFactor> found = store.find(userId);
            if (found.isEmpty()) {
                return new TotpVerification.Rejected(TotpVerification.Reason.NOT_ENROLLED);
            }
            TotpFactor factor = found.get();
            if (factor.confirmed() != wantConfirmed) {
                return new TotpVerification.Rejected(
                        wantConfirmed
                                ? TotpVerification.Reason.PENDING_CONFIRMATION
                                : TotpVerification.Reason.ALREADY_CONFIRMED);
            }
            Totp totp = calculators.computeIfAbsent(factor.parameters(), Totp::of);
            Instant now = clock.instant();
            TotpSecret secret = TotpSecret.of(envelope.open(factor.sealedSecret(), context(userId)));
            OptionalLong step;
            boolean usedBefore = false;
            try {
                step = totp.match(secret, code, now, factor.lastAcceptedStep());
                if (step.isEmpty() && factor.lastAcceptedStep() >= 0) {
                    usedBefore = totp.matches(secret, code, now);
                }
            } finally {
                secret.destroy();
            }
            if (step.isEmpty()) {
                return new TotpVerification.Rejected(
                        usedBefore ? TotpVerification.Reason.REPLAYED : TotpVerification.Reason.INVALID_CODE);
            }
            TotpFactor next = factor.accepted(step.getAsLong(), resealIfNeeded(factor));
            if (store.compareAndSet(factor, next)) {
                return new TotpVerification.Accepted(step.getAsLong());
            }
            // Someone else changed the factor (a concurrent use of this or another code): read it again, so
            // a step they just consumed is now refused as a replay.
        }
        return new TotpVerification.Rejected(TotpVerification.Reason.REPLAYED);
    }

    private String resealIfNeeded(TotpFactor factor) {
        String sealed = factor.sealedSecret();
        if (!envelope.needsReseal(sealed)) {
            return sealed;
        }
        byte[] raw = envelope.open(sealed, context(factor.userId()));
        try {
            return envelope.seal(raw, context(factor.userId()));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    static String context(String userId) {
        return "totp:" + userId;
    }

    static void checkUserId(@Nullable String userId) {
        Objects.requireNonNull(userId, "userId must not be null");
        if (userId.isBlank() || userId.length() > MAX_USER_ID_LENGTH) {
            throw new MfaException(
                    MfaException.Reason.INVALID_ARGUMENT,
                    "userId must be 1 to " + MAX_USER_ID_LENGTH + " characters and not blank");
        }
    }

    @Override
    public String toString() {
        return "TotpService[issuer=" + issuer + ", " + parameters + ", secretBits=" + secretLength * 8 + ", store="
                + store.getClass().getSimpleName() + "]";
    }

    /** Where a user's TOTP factor stands. */
    public enum FactorStatus {
        /** No factor. */
        NONE,
        /** Enrolled but not yet confirmed by a first code; unusable. */
        PENDING,
        /** Confirmed and in use. */
        CONFIRMED
    }

    /** Builds a {@link TotpService}. Not thread-safe; the service it builds is. */
    public static final class Builder {

        private @Nullable Envelope envelope;
        private @Nullable String issuer;
        private TotpFactorStore store = new InMemoryTotpFactorStore();
        private Clock clock = Clock.systemUTC();
        private SecureRandom random = new SecureRandom();
        private TotpParameters parameters = TotpParameters.defaults();
        private int secretLength = TotpSecret.DEFAULT_BYTES;
        private int qrSize = QrCode.DEFAULT_SIZE;

        private Builder() {}

        /**
         * The service name shown in authenticator apps and put in the otpauth URI; required.
         *
         * @param issuer e.g. {@code ACME Co}; no colon
         * @return this builder
         */
        public Builder issuer(String issuer) {
            this.issuer = OtpAuthUri.checkLabelPart(issuer, "issuer", OtpAuthUri.MAX_ISSUER_LENGTH);
            return this;
        }

        /**
         * The envelope that seals secrets at rest; required.
         *
         * @param envelope the envelope over the operator's master key
         * @return this builder
         */
        public Builder envelope(Envelope envelope) {
            this.envelope = Objects.requireNonNull(envelope, "envelope must not be null");
            return this;
        }

        /**
         * Where factor state lives; default a new {@link InMemoryTotpFactorStore} (single process only).
         *
         * @param store the store
         * @return this builder
         */
        public Builder store(TotpFactorStore store) {
            this.store = Objects.requireNonNull(store, "store must not be null");
            return this;
        }

        /**
         * The clock codes are checked against; default {@link Clock#systemUTC()}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * The source of new secrets; default a new {@link SecureRandom}.
         *
         * @param random a strong generator
         * @return this builder
         */
        public Builder secureRandom(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random must not be null");
            return this;
        }

        /**
         * Parameters for new enrolments; default {@link TotpParameters#defaults()}. Existing factors keep theirs.
         *
         * @param parameters algorithm, digits, period and window
         * @return this builder
         */
        public Builder parameters(TotpParameters parameters) {
            this.parameters = Objects.requireNonNull(parameters, "parameters must not be null");
            return this;
        }

        /**
         * Length of new secrets in bytes; default 20 (160 bits).
         *
         * @param bytes 20 to 128 (RFC 4226 §4 recommends 160 bits)
         * @return this builder
         */
        public Builder secretLength(int bytes) {
            if (bytes < TotpSecret.DEFAULT_BYTES || bytes > 128) {
                throw new MfaException(
                        MfaException.Reason.INVALID_PARAMETERS,
                        "secret length must be 20 to 128 bytes (at least 160 bits), was " + bytes);
            }
            this.secretLength = bytes;
            return this;
        }

        /**
         * Width and height of enrolment QR codes; default 256 pixels.
         *
         * @param pixels 64 to 2048
         * @return this builder
         */
        public Builder qrSize(int pixels) {
            if (pixels < 64 || pixels > 2048) {
                throw new MfaException(
                        MfaException.Reason.INVALID_PARAMETERS, "QR size must be 64 to 2048 pixels, was " + pixels);
            }
            this.qrSize = pixels;
            return this;
        }

        /**
         * Builds the service.
         *
         * @return an immutable, thread-safe service
         * @throws NullPointerException if the issuer or envelope is not set
         */
        public TotpService build() {
            return new TotpService(this);
        }
    }
}
