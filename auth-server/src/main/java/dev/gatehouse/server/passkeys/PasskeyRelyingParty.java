package dev.gatehouse.server.passkeys;

import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.exception.DataConversionException;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.util.exception.WebAuthnException;
import com.webauthn4j.verifier.exception.BadAaguidException;
import com.webauthn4j.verifier.exception.BadAlgorithmException;
import com.webauthn4j.verifier.exception.BadChallengeException;
import com.webauthn4j.verifier.exception.BadOriginException;
import com.webauthn4j.verifier.exception.BadRpIdException;
import com.webauthn4j.verifier.exception.BadSignatureException;
import com.webauthn4j.verifier.exception.BadTopOriginException;
import com.webauthn4j.verifier.exception.ConstraintViolationException;
import com.webauthn4j.verifier.exception.CredentialIdTooLongException;
import com.webauthn4j.verifier.exception.CrossOriginException;
import com.webauthn4j.verifier.exception.InconsistentClientDataTypeException;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;
import com.webauthn4j.verifier.exception.MissingChallengeException;
import com.webauthn4j.verifier.exception.NotAllowedAlgorithmException;
import com.webauthn4j.verifier.exception.NotAllowedCredentialIdException;
import com.webauthn4j.verifier.exception.UserNotPresentException;
import com.webauthn4j.verifier.exception.UserNotVerifiedException;
import dev.gatehouse.server.passkeys.PasskeyCeremonyException.Reason;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.web.webauthn.api.AttestationConveyancePreference;
import org.springframework.security.web.webauthn.api.AuthenticatorAssertionResponse;
import org.springframework.security.web.webauthn.api.AuthenticatorAttestationResponse;
import org.springframework.security.web.webauthn.api.AuthenticatorSelectionCriteria;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.CredentialRecord;
import org.springframework.security.web.webauthn.api.PublicKeyCredential;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialDescriptor;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRequestOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRpEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.ResidentKeyRequirement;
import org.springframework.security.web.webauthn.api.UserVerificationRequirement;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialCreationOptionsRequest;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialRequestOptionsRequest;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.RelyingPartyAuthenticationRequest;
import org.springframework.security.web.webauthn.management.RelyingPartyPublicKey;
import org.springframework.security.web.webauthn.management.RelyingPartyRegistrationRequest;
import org.springframework.security.web.webauthn.management.UserCredentialRepository;
import org.springframework.security.web.webauthn.management.WebAuthnRelyingPartyOperations;
import org.springframework.security.web.webauthn.management.Webauthn4JRelyingPartyOperations;

/**
 * Spring's webauthn4j relying party with Gatehouse's rules around it:
 *
 * <ul>
 *   <li>user verification required in creation and request options (WebAuthn Level 3 §5.4.4, §5.5), resident keys
 *       required (discoverable credentials, §6.2.2), attestation {@code none} (§5.4.7);
 *   <li>the authenticator allow-list ({@code allowed-aaguids}) checked on the attestation object before anything is
 *       stored; a malformed attestation object is refused too;
 *   <li>sizes bounded before parsing; the returned userHandle must be the credential's owner (§7.2 step 6);
 *   <li>every failure a {@link PasskeyCeremonyException} with a {@link Reason}, and a message without key material
 *       or the credential id; a counter that did not increase is a {@link SignatureCounterRegression}. Spring passes
 *       webauthn4j the registration-time counter; the store's conditional update enforces monotonic counts (§6.1.1).
 * </ul>
 *
 * <p>The delegate is built at the first ceremony, since without a configured issuer the allowed origin depends on the
 * port the server listens on.
 */
final class PasskeyRelyingParty implements WebAuthnRelyingPartyOperations {

    static final int MAX_CLIENT_DATA_BYTES = JdbcPasskeyStore.MAX_CLIENT_DATA_BYTES;
    static final int MAX_ATTESTATION_OBJECT_BYTES = JdbcPasskeyStore.MAX_ATTESTATION_OBJECT_BYTES;
    static final int MAX_AUTHENTICATOR_DATA_BYTES = 4096;
    static final int MAX_SIGNATURE_BYTES = 1024;

    private final PublicKeyCredentialUserEntityRepository userEntities;
    private final UserCredentialRepository credentials;
    private final PasskeyRelyingPartySettings settings;
    private final Set<UUID> allowedAaguids;
    private final Supplier<Set<String>> origins;
    private final ObjectConverter objectConverter = new ObjectConverter();
    private final AuthenticatorDataConverter authenticatorDataConverter =
            new AuthenticatorDataConverter(objectConverter);
    private volatile @Nullable Webauthn4JRelyingPartyOperations delegate;

    /**
     * Creates the relying party.
     *
     * @param userEntities the user handles
     * @param credentials the credentials
     * @param settings the resolved settings
     * @param allowedAaguids the authenticators that may register, empty for any
     * @param origins the allowed origins, asked at the first ceremony
     */
    PasskeyRelyingParty(
            PublicKeyCredentialUserEntityRepository userEntities,
            UserCredentialRepository credentials,
            PasskeyRelyingPartySettings settings,
            Set<UUID> allowedAaguids,
            Supplier<Set<String>> origins) {
        this.userEntities = Objects.requireNonNull(userEntities, "userEntities must not be null");
        this.credentials = Objects.requireNonNull(credentials, "credentials must not be null");
        this.settings = Objects.requireNonNull(settings, "settings must not be null");
        this.allowedAaguids = Set.copyOf(allowedAaguids);
        this.origins = Objects.requireNonNull(origins, "origins must not be null");
    }

    private Webauthn4JRelyingPartyOperations delegate() {
        Webauthn4JRelyingPartyOperations current = delegate;
        if (current == null) {
            synchronized (this) {
                current = delegate;
                if (current == null) {
                    current = new Webauthn4JRelyingPartyOperations(
                            userEntities,
                            credentials,
                            PublicKeyCredentialRpEntity.builder()
                                    .id(settings.rpId())
                                    .name(settings.rpName())
                                    .build(),
                            Set.copyOf(origins.get()));
                    current.setCustomizeCreationOptions(
                            options -> options.authenticatorSelection(AuthenticatorSelectionCriteria.builder()
                                            .userVerification(UserVerificationRequirement.REQUIRED)
                                            .residentKey(ResidentKeyRequirement.REQUIRED)
                                            .build())
                                    .attestation(AttestationConveyancePreference.NONE));
                    current.setCustomizeRequestOptions(
                            options -> options.userVerification(UserVerificationRequirement.REQUIRED));
                    delegate = current;
                }
            }
        }
        return current;
    }

    @Override
    public PublicKeyCredentialCreationOptions createPublicKeyCredentialCreationOptions(
            PublicKeyCredentialCreationOptionsRequest request) {
        return delegate().createPublicKeyCredentialCreationOptions(request);
    }

    @Override
    public PublicKeyCredentialRequestOptions createCredentialRequestOptions(
            PublicKeyCredentialRequestOptionsRequest request) {
        return delegate().createCredentialRequestOptions(request);
    }

    /** Registration (WebAuthn Level 3 §7.1): our checks, then Spring's, which stores the credential last. */
    @Override
    public CredentialRecord registerCredential(RelyingPartyRegistrationRequest request) {
        Webauthn4JRelyingPartyOperations operations = delegate();
        RelyingPartyPublicKey publicKey = request.getPublicKey();
        if (publicKey == null
                || publicKey.getCredential() == null
                || publicKey.getCredential().getResponse() == null) {
            throw malformed("The registration has no credential");
        }
        JdbcPasskeyStore.validLabel(publicKey.getLabel());
        PublicKeyCredential<AuthenticatorAttestationResponse> credential = publicKey.getCredential();
        AuthenticatorAttestationResponse response = credential.getResponse();
        byte[] rawId = bytes(credential.getRawId(), PasskeyIds.MAX_CREDENTIAL_ID_BYTES, "credential id");
        byte[] attestationObject =
                bytes(response.getAttestationObject(), MAX_ATTESTATION_OBJECT_BYTES, "attestation object");
        bytes(response.getClientDataJSON(), MAX_CLIENT_DATA_BYTES, "clientDataJSON");
        AttestedCredentialData attested = attestedCredentialData(attestationObject, rawId);
        if (!allowedAaguids.isEmpty()
                && !allowedAaguids.contains(attested.getAaguid().getValue())) {
            throw new PasskeyCeremonyException(
                    Reason.AAGUID,
                    "This authenticator (AAGUID " + attested.getAaguid().getValue()
                            + ") is not allowed here (gatehouse.server.passkeys.allowed-aaguids)");
        }
        if (credentials.findByCredentialId(new Bytes(rawId)) != null) {
            throw new PasskeyCeremonyException(
                    Reason.ALREADY_REGISTERED,
                    "This passkey is already registered (credential " + PasskeyIds.ref(rawId) + ")");
        }
        try {
            return operations.registerCredential(request);
        } catch (RuntimeException e) {
            throw translate(e, rawId);
        }
    }

    /** Assertion (WebAuthn Level 3 §7.2): our checks, then Spring's, whose counter update the store makes atomic. */
    @Override
    public PublicKeyCredentialUserEntity authenticate(RelyingPartyAuthenticationRequest request) {
        Webauthn4JRelyingPartyOperations operations = delegate();
        PublicKeyCredential<AuthenticatorAssertionResponse> credential = request.getPublicKey();
        if (credential == null || credential.getResponse() == null) {
            throw malformed("The assertion has no credential");
        }
        AuthenticatorAssertionResponse response = credential.getResponse();
        byte[] rawId = bytes(credential.getRawId(), PasskeyIds.MAX_CREDENTIAL_ID_BYTES, "credential id");
        byte[] authenticatorData =
                bytes(response.getAuthenticatorData(), MAX_AUTHENTICATOR_DATA_BYTES, "authenticator data");
        bytes(response.getClientDataJSON(), MAX_CLIENT_DATA_BYTES, "clientDataJSON");
        bytes(response.getSignature(), MAX_SIGNATURE_BYTES, "signature");
        Bytes userHandle = response.getUserHandle();
        if (userHandle != null) {
            bytes(userHandle, JdbcPasskeyStore.MAX_USER_HANDLE_BYTES, "user handle");
        }
        List<PublicKeyCredentialDescriptor> allowed =
                request.getRequestOptions().getAllowCredentials();
        if (!allowed.isEmpty()
                && allowed.stream()
                        .noneMatch(d ->
                                d.getId() != null && Arrays.equals(d.getId().getBytes(), rawId))) {
            throw new PasskeyCeremonyException(
                    Reason.NOT_ALLOWED_CREDENTIAL,
                    "This passkey was not one the sign-in asked for (WebAuthn Level 3" + " §7.2 step 5)");
        }
        CredentialRecord stored = credentials.findByCredentialId(new Bytes(rawId));
        if (stored == null) {
            throw new PasskeyCeremonyException(
                    Reason.UNKNOWN_CREDENTIAL,
                    "No passkey with this credential is registered here (credential " + PasskeyIds.ref(rawId) + ")");
        }
        // §7.2 step 6: a discoverable sign-in (no allowCredentials) names the user by the returned userHandle; it must
        // be the credential's owner, and when the user was identified before, a returned handle must be theirs too.
        if ((allowed.isEmpty() && userHandle == null)
                || (userHandle != null
                        && !Arrays.equals(
                                userHandle.getBytes(),
                                stored.getUserEntityUserId().getBytes()))) {
            throw new PasskeyCeremonyException(
                    Reason.USER_HANDLE,
                    "The passkey's user handle does not match its owner (WebAuthn Level 3 §7.2" + " step 6)");
        }
        AuthenticatorData<?> data;
        try {
            data = authenticatorDataConverter.convert(authenticatorData);
        } catch (RuntimeException e) {
            throw malformed("The authenticator data is not valid");
        }
        if (data == null) {
            throw malformed("The authenticator data is not valid");
        }
        if (!data.isFlagUV()) {
            throw new PasskeyCeremonyException(
                    Reason.USER_VERIFICATION,
                    "The authenticator did not verify the user (WebAuthn Level 3 §7.2 step" + " 17)");
        }
        PublicKeyCredentialUserEntity user;
        try {
            user = operations.authenticate(request);
        } catch (RuntimeException e) {
            RuntimeException translated = translate(e, rawId);
            if (translated instanceof SignatureCounterRegression regression && regression.owner() == null) {
                // The owner for the audit (WebAuthn Level 3 §6.1.1: the reaction to a suspected clone is the RP's).
                PublicKeyCredentialUserEntity owner = userEntities.findById(stored.getUserEntityUserId());
                throw new SignatureCounterRegression(
                        regression.credentialRef(), owner == null ? null : owner.getName());
            }
            throw translated;
        }
        if (credentials instanceof JdbcPasskeyStore store) {
            store.recordBackupState(rawId, data.isFlagBS());
        }
        return user;
    }

    /** Parses the attestation object (CBOR, §6.5) and checks its attested credential data names this credential. */
    private AttestedCredentialData attestedCredentialData(byte[] attestationObject, byte[] rawId) {
        AttestationObject parsed;
        try {
            parsed = objectConverter.getCborConverter().readValue(attestationObject, AttestationObject.class);
        } catch (RuntimeException e) {
            throw malformed("The attestation object is not valid CBOR (WebAuthn Level 3 §6.5)");
        }
        if (parsed == null || parsed.getAuthenticatorData() == null) {
            throw malformed("The attestation object has no authenticator data (WebAuthn Level 3 §6.5)");
        }
        AuthenticatorData<?> data = parsed.getAuthenticatorData();
        AttestedCredentialData attested = data.getAttestedCredentialData();
        if (attested == null || attested.getAaguid() == null || attested.getCOSEKey() == null) {
            throw malformed("The attestation object has no attested credential data (WebAuthn Level 3 §6.5.1)");
        }
        if (!Arrays.equals(attested.getCredentialId(), rawId)) {
            throw malformed("The attested credential id is not the credential's id (WebAuthn Level 3 §6.5.1)");
        }
        if (!data.isFlagUV()) {
            throw new PasskeyCeremonyException(
                    Reason.USER_VERIFICATION,
                    "The authenticator did not verify the user (WebAuthn Level 3 §7.1 step" + " 15)");
        }
        return attested;
    }

    private static byte[] bytes(@Nullable Bytes value, int max, String what) {
        if (value == null) {
            throw malformed("The " + what + " is missing");
        }
        byte[] bytes = value.getBytes();
        if (bytes.length == 0 || bytes.length > max) {
            throw malformed("The " + what + " is empty or longer than " + max + " bytes");
        }
        return bytes;
    }

    private static PasskeyCeremonyException malformed(String message) {
        return new PasskeyCeremonyException(Reason.MALFORMED, message);
    }

    /**
     * A failure of Spring's relying party or webauthn4j as a {@link PasskeyCeremonyException}: a fixed message per
     * reason (webauthn4j's own messages can quote the presented values); failures that are not refusals (the
     * database) stay as they are.
     */
    static RuntimeException translate(RuntimeException e, byte[] rawId) {
        if (e instanceof PasskeyCeremonyException) {
            return e;
        }
        if (e instanceof MaliciousCounterValueException) {
            return new SignatureCounterRegression(PasskeyIds.ref(rawId));
        }
        if (e instanceof BadOriginException
                || e instanceof CrossOriginException
                || e instanceof BadTopOriginException) {
            return refused(
                    Reason.ORIGIN,
                    "The passkey was used on an origin this server does not allow" + " (WebAuthn Level 3 §7.2 step 13)",
                    e);
        }
        if (e instanceof BadRpIdException) {
            return refused(
                    Reason.RP_ID,
                    "The passkey is for another relying party (rpId hash, WebAuthn Level 3" + " §7.2 step 15)",
                    e);
        }
        if (e instanceof BadChallengeException || e instanceof MissingChallengeException) {
            return refused(
                    Reason.CHALLENGE,
                    "The passkey answered another challenge (WebAuthn Level 3 §7.2 step" + " 12); start again",
                    e);
        }
        if (e instanceof BadSignatureException) {
            return refused(Reason.SIGNATURE, "The passkey's signature is not valid (WebAuthn Level 3 §7.2 step 20)", e);
        }
        if (e instanceof UserNotVerifiedException) {
            return refused(
                    Reason.USER_VERIFICATION,
                    "The authenticator did not verify the user (WebAuthn Level 3" + " §7.2 step 17)",
                    e);
        }
        if (e instanceof UserNotPresentException) {
            return refused(
                    Reason.USER_PRESENCE,
                    "The authenticator reported no user presence (WebAuthn Level 3" + " §7.2 step 16)",
                    e);
        }
        if (e instanceof NotAllowedCredentialIdException) {
            return refused(
                    Reason.NOT_ALLOWED_CREDENTIAL,
                    "This passkey was not one the sign-in asked for" + " (WebAuthn Level 3 §7.2 step 5)",
                    e);
        }
        if (e instanceof BadAaguidException) {
            return refused(Reason.AAGUID, "This authenticator is not allowed here", e);
        }
        if (e instanceof DataConversionException
                || e instanceof InconsistentClientDataTypeException
                || e instanceof CredentialIdTooLongException
                || e instanceof ConstraintViolationException
                || e instanceof NotAllowedAlgorithmException
                || e instanceof BadAlgorithmException) {
            return refused(Reason.MALFORMED, "The passkey response is not well-formed", e);
        }
        if (e instanceof WebAuthnException) {
            return refused(Reason.REFUSED, "The passkey response was refused", e);
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            // Spring's own checks; their messages can hold the credential id, so neither message nor cause is kept.
            return new PasskeyCeremonyException(Reason.MALFORMED, "The passkey response is not valid");
        }
        return e;
    }

    private static PasskeyCeremonyException refused(Reason reason, String message, RuntimeException cause) {
        return new PasskeyCeremonyException(reason, message, cause);
    }
}
