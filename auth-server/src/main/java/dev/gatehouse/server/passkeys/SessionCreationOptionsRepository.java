package dev.gatehouse.server.passkeys;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.Serial;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.web.webauthn.api.AttestationConveyancePreference;
import org.springframework.security.web.webauthn.api.AuthenticationExtensionsClientInputs;
import org.springframework.security.web.webauthn.api.AuthenticatorAttachment;
import org.springframework.security.web.webauthn.api.AuthenticatorSelectionCriteria;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialDescriptor;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialParameters;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRpEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.ResidentKeyRequirement;
import org.springframework.security.web.webauthn.api.UserVerificationRequirement;
import org.springframework.security.web.webauthn.registration.PublicKeyCredentialCreationOptionsRepository;

/**
 * The registration options (WebAuthn Level 3 §5.4) of the ceremony in progress, held in the browser session so that
 * every node sees them (Spring Session JDBC). Spring's {@code PublicKeyCredentialCreationOptions} is not {@code
 * Serializable}, so Spring's session repository would fail to store it: this one stores a small serializable snapshot
 * and builds the options again on load. {@code save(..., null)} removes them (each options object serves one
 * registration attempt).
 *
 * <p>The challenge expires on the server too, not only in the browser (WebAuthn Level 3 §5.4 {@code timeout},
 * §13.4.3): the time of {@code save} is kept beside the options, and options older than {@link #TIMEOUT} by the
 * injected clock are removed on load and refused with {@link PasskeyCeremonyException.Reason#EXPIRED}.
 */
final class SessionCreationOptionsRepository implements PublicKeyCredentialCreationOptionsRepository {

    /** The session attribute. */
    static final String ATTRIBUTE = SessionCreationOptionsRepository.class.getName() + ".OPTIONS";

    /** The session attribute holding when the options were made. */
    static final String CREATED_AT = SessionCreationOptionsRepository.class.getName() + ".CREATED_AT";

    /** How long a registration's challenge is accepted, as the options' own timeout tells the browser. */
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Clock clock;

    SessionCreationOptionsRepository(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    @Override
    public void save(
            HttpServletRequest request,
            HttpServletResponse response,
            @Nullable PublicKeyCredentialCreationOptions options) {
        if (options == null) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.removeAttribute(ATTRIBUTE);
                session.removeAttribute(CREATED_AT);
            }
            return;
        }
        HttpSession session = request.getSession();
        session.setAttribute(CREATED_AT, clock.instant());
        session.setAttribute(ATTRIBUTE, Snapshot.of(options));
    }

    @Override
    public @Nullable PublicKeyCredentialCreationOptions load(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        Object value = session.getAttribute(ATTRIBUTE);
        if (!(value instanceof Snapshot snapshot)) {
            return null;
        }
        // No time (or not an Instant) counts as expired: fail closed.
        Object created = session.getAttribute(CREATED_AT);
        if (!(created instanceof Instant at) || at.plus(TIMEOUT).isBefore(clock.instant())) {
            session.removeAttribute(ATTRIBUTE);
            session.removeAttribute(CREATED_AT);
            throw new PasskeyCeremonyException(
                    PasskeyCeremonyException.Reason.EXPIRED,
                    "The registration's challenge is older than " + TIMEOUT.toMinutes()
                            + " minutes (WebAuthn Level 3 §13.4.3); start the registration again");
        }
        return snapshot.options();
    }

    /**
     * The options' values, each of a serializable type (Spring's value classes that are {@code Serializable}, or
     * their string and number forms).
     */
    record Snapshot(
            Bytes challenge,
            String rpId,
            String rpName,
            PublicKeyCredentialUserEntity user,
            List<Long> algorithms,
            @Nullable Duration timeout,
            List<PublicKeyCredentialDescriptor> excludeCredentials,
            @Nullable AuthenticatorAttachment attachment,
            @Nullable String residentKey,
            @Nullable UserVerificationRequirement userVerification,
            @Nullable String attestation,
            @Nullable AuthenticationExtensionsClientInputs extensions)
            implements Serializable {

        @Serial
        private static final long serialVersionUID = 1L;

        static Snapshot of(PublicKeyCredentialCreationOptions options) {
            AuthenticatorSelectionCriteria selection = options.getAuthenticatorSelection();
            ResidentKeyRequirement residentKey = selection == null ? null : selection.getResidentKey();
            AttestationConveyancePreference attestation = options.getAttestation();
            return new Snapshot(
                    options.getChallenge(),
                    options.getRp().getId(),
                    options.getRp().getName(),
                    options.getUser(),
                    options.getPubKeyCredParams().stream()
                            .map(p -> p.getAlg().getValue())
                            .toList(),
                    options.getTimeout(),
                    new ArrayList<>(options.getExcludeCredentials()),
                    selection == null ? null : selection.getAuthenticatorAttachment(),
                    residentKey == null ? null : residentKey.getValue(),
                    selection == null ? null : selection.getUserVerification(),
                    attestation == null ? null : attestation.getValue(),
                    options.getExtensions());
        }

        PublicKeyCredentialCreationOptions options() {
            AuthenticatorSelectionCriteria.AuthenticatorSelectionCriteriaBuilder selection =
                    AuthenticatorSelectionCriteria.builder();
            if (attachment != null) {
                selection.authenticatorAttachment(attachment);
            }
            if (residentKey != null) {
                selection.residentKey(ResidentKeyRequirement.valueOf(residentKey));
            }
            if (userVerification != null) {
                selection.userVerification(userVerification);
            }
            PublicKeyCredentialCreationOptions.PublicKeyCredentialCreationOptionsBuilder builder =
                    PublicKeyCredentialCreationOptions.builder()
                            .challenge(challenge)
                            .rp(PublicKeyCredentialRpEntity.builder()
                                    .id(rpId)
                                    .name(rpName)
                                    .build())
                            .user(user)
                            .pubKeyCredParams(algorithms.stream()
                                    .map(Snapshot::parameters)
                                    .toList())
                            .excludeCredentials(excludeCredentials)
                            .authenticatorSelection(selection.build());
            if (timeout != null) {
                builder.timeout(timeout);
            }
            if (attestation != null) {
                builder.attestation(AttestationConveyancePreference.valueOf(attestation));
            }
            if (extensions != null) {
                builder.extensions(extensions);
            }
            return builder.build();
        }

        /** Spring's parameters have no public constructor: the algorithm's constant, or a refusal. */
        private static PublicKeyCredentialParameters parameters(long alg) {
            for (PublicKeyCredentialParameters p : List.of(
                    PublicKeyCredentialParameters.EdDSA,
                    PublicKeyCredentialParameters.ES256,
                    PublicKeyCredentialParameters.ES384,
                    PublicKeyCredentialParameters.ES512,
                    PublicKeyCredentialParameters.RS256,
                    PublicKeyCredentialParameters.RS384,
                    PublicKeyCredentialParameters.RS512)) {
                if (p.getAlg().getValue() == alg) {
                    return p;
                }
            }
            throw new IllegalStateException("unsupported COSE algorithm " + alg + " in stored creation options");
        }
    }
}
