package dev.gatehouse.server.testsupport;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.extension.authenticator.AuthenticationExtensionAuthenticatorOutput;
import com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A software passkey authenticator for tests (webauthn4j-test is not available): one discoverable credential with an
 * EC P-256 key (ES256, JDK crypto), encoded with webauthn4j's data classes and CBOR converter, attestation {@code
 * none}. It reads the options JSON Spring's endpoints write ({@code POST /webauthn/register/options}, {@code POST
 * /webauthn/authenticate/options}) and answers with the JSON bodies Spring's filters read:
 *
 * <ul>
 *   <li>{@link #register(String, String)}: the body of {@code POST /webauthn/register}, {@code
 *       {"publicKey":{"credential":{...},"label":"..."}}};
 *   <li>{@link #assertion(String, String)}: the body of {@code POST /login/webauthn}, a {@code PublicKeyCredential}.
 * </ul>
 *
 * <p>Knobs make the answers wrong in one way each: the rpId hashed into the authenticator data, the user-verified and
 * backup flags, the signature counter (set it down to make a regression), the AAGUID, the user handle returned, the
 * attestation object bytes. Not thread-safe.
 */
public final class TestAuthenticator {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ObjectConverter CONVERTER = new ObjectConverter();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keyPair;
    private final byte[] credentialId;
    private byte @Nullable [] userHandle;
    private @Nullable String rpIdOverride;
    private boolean userVerified = true;
    private boolean userPresent = true;
    private boolean backupEligible;
    private boolean backupState;
    private long signatureCount;
    private boolean counting = true;
    private UUID aaguid = new UUID(0, 0);
    private boolean returnUserHandle = true;
    private byte @Nullable [] userHandleOverride;
    private byte @Nullable [] attestationObjectOverride;
    private String label = "Test key";

    private TestAuthenticator(KeyPair keyPair, byte[] credentialId) {
        this.keyPair = keyPair;
        this.credentialId = credentialId;
    }

    /**
     * A new authenticator with a fresh key and a random 16-byte credential id.
     *
     * @return the authenticator
     */
    public static TestAuthenticator create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            byte[] id = new byte[16];
            RANDOM.nextBytes(id);
            return new TestAuthenticator(generator.generateKeyPair(), id);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The credential id, base64url without padding (as {@code Passkeys} names it).
     *
     * @return the id
     */
    public String credentialId() {
        return b64(credentialId);
    }

    /**
     * The raw credential id.
     *
     * @return a copy
     */
    public byte[] rawCredentialId() {
        return credentialId.clone();
    }

    /**
     * The user handle from the last registration, if any.
     *
     * @return a copy, or {@code null}
     */
    public byte @Nullable [] userHandle() {
        return userHandle == null ? null : userHandle.clone();
    }

    /** Hashes this rpId into the authenticator data instead of the options' one. */
    public TestAuthenticator rpId(@Nullable String rpId) {
        this.rpIdOverride = rpId;
        return this;
    }

    /** Sets the UV flag (user verified); default {@code true}. */
    public TestAuthenticator userVerified(boolean userVerified) {
        this.userVerified = userVerified;
        return this;
    }

    /** Sets the UP flag (user present); default {@code true}. */
    public TestAuthenticator userPresent(boolean userPresent) {
        this.userPresent = userPresent;
        return this;
    }

    /** Sets the BE (backup eligible) and BS (backed up) flags; default both {@code false}. */
    public TestAuthenticator backup(boolean eligible, boolean state) {
        this.backupEligible = eligible;
        this.backupState = state;
        return this;
    }

    /**
     * Sets the signature counter the next ceremony reports; each ceremony then adds one, unless {@link
     * #zeroCounter()}.
     */
    public TestAuthenticator signatureCount(long count) {
        this.signatureCount = count;
        return this;
    }

    /** Reports 0 at every ceremony, as authenticators without a counter do (WebAuthn Level 3 §6.1.1). */
    public TestAuthenticator zeroCounter() {
        this.counting = false;
        this.signatureCount = 0;
        return this;
    }

    /** The counter the next ceremony reports. */
    public long nextSignatureCount() {
        return signatureCount;
    }

    /** Sets the AAGUID in the attested credential data; default all zeros. */
    public TestAuthenticator aaguid(UUID aaguid) {
        this.aaguid = aaguid;
        return this;
    }

    /** Whether an assertion returns the user handle (a discoverable credential does); default {@code true}. */
    public TestAuthenticator returnUserHandle(boolean returnUserHandle) {
        this.returnUserHandle = returnUserHandle;
        return this;
    }

    /** Returns this user handle in assertions instead of the registered one. */
    public TestAuthenticator userHandleOverride(byte @Nullable [] userHandle) {
        this.userHandleOverride = userHandle == null ? null : userHandle.clone();
        return this;
    }

    /** Sends these bytes as the attestation object (e.g. malformed CBOR). */
    public TestAuthenticator attestationObject(byte @Nullable [] attestationObject) {
        this.attestationObjectOverride = attestationObject == null ? null : attestationObject.clone();
        return this;
    }

    /** Sets the label sent with the registration; default {@code Test key}. */
    public TestAuthenticator label(String label) {
        this.label = label;
        return this;
    }

    /**
     * Creates the credential for creation options (WebAuthn Level 3 §5.1.3 / authenticatorMakeCredential).
     *
     * @param creationOptionsJson the JSON of {@code POST /webauthn/register/options}
     * @param origin the origin the browser would write into clientDataJSON
     * @return the JSON body of {@code POST /webauthn/register}
     */
    public String register(String creationOptionsJson, String origin) {
        JsonNode options = JSON.readTree(creationOptionsJson);
        String rpId = rpIdOverride != null
                ? rpIdOverride
                : options.path("rp").path("id").asString();
        userHandle =
                Base64.getUrlDecoder().decode(options.path("user").path("id").asString());
        String challenge = options.path("challenge").asString();
        byte[] clientData = clientData("webauthn.create", challenge, origin);
        EC2COSEKey key = EC2COSEKey.create((ECPublicKey) keyPair.getPublic(), COSEAlgorithmIdentifier.ES256);
        AttestedCredentialData attested = new AttestedCredentialData(new AAGUID(aaguid), credentialId, key);
        AuthenticatorData<RegistrationExtensionAuthenticatorOutput> data = new AuthenticatorData<>(
                sha256(rpId.getBytes(StandardCharsets.UTF_8)), flags(true), nextCount(), attested);
        byte[] attestationObject = attestationObjectOverride != null
                ? attestationObjectOverride
                : new AttestationObjectConverter(CONVERTER)
                        .convertToBytes(new AttestationObject(data, new NoneAttestationStatement()));

        ObjectNode body = JSON.createObjectNode();
        ObjectNode publicKey = body.putObject("publicKey");
        ObjectNode credential = publicKey.putObject("credential");
        credential.put("id", b64(credentialId));
        credential.put("rawId", b64(credentialId));
        ObjectNode response = credential.putObject("response");
        response.put("attestationObject", b64(attestationObject));
        response.put("clientDataJSON", b64(clientData));
        ArrayNode transports = response.putArray("transports");
        transports.add("internal");
        transports.add("hybrid");
        credential.put("type", "public-key");
        credential.putObject("clientExtensionResults").putObject("credProps").put("rk", true);
        credential.put("authenticatorAttachment", "platform");
        publicKey.put("label", label);
        return JSON.writeValueAsString(body);
    }

    /**
     * Signs an assertion for request options (WebAuthn Level 3 §6.3.3 / authenticatorGetAssertion).
     *
     * @param requestOptionsJson the JSON of {@code POST /webauthn/authenticate/options}
     * @param origin the origin the browser would write into clientDataJSON
     * @return the JSON body of {@code POST /login/webauthn}
     */
    public String assertion(String requestOptionsJson, String origin) {
        JsonNode options = JSON.readTree(requestOptionsJson);
        String rpId = rpIdOverride != null ? rpIdOverride : options.path("rpId").asString();
        String challenge = options.path("challenge").asString();
        byte[] clientData = clientData("webauthn.get", challenge, origin);
        AuthenticatorData<AuthenticationExtensionAuthenticatorOutput> data =
                new AuthenticatorData<>(sha256(rpId.getBytes(StandardCharsets.UTF_8)), flags(false), nextCount());
        byte[] authenticatorData = new AuthenticatorDataConverter(CONVERTER).convert(data);
        byte[] signature = sign(authenticatorData, clientData);

        ObjectNode credential = JSON.createObjectNode();
        credential.put("id", b64(credentialId));
        credential.put("rawId", b64(credentialId));
        ObjectNode response = credential.putObject("response");
        response.put("authenticatorData", b64(authenticatorData));
        response.put("clientDataJSON", b64(clientData));
        response.put("signature", b64(signature));
        byte[] handle = userHandleOverride != null ? userHandleOverride : userHandle;
        if (returnUserHandle && handle != null) {
            response.put("userHandle", b64(handle));
        }
        credential.put("type", "public-key");
        credential.putObject("clientExtensionResults");
        credential.put("authenticatorAttachment", "platform");
        return JSON.writeValueAsString(credential);
    }

    private long nextCount() {
        long count = signatureCount;
        if (counting) {
            signatureCount++;
        }
        return count;
    }

    private byte flags(boolean attested) {
        int flags = 0;
        if (userPresent) {
            flags |= AuthenticatorData.BIT_UP;
        }
        if (userVerified) {
            flags |= AuthenticatorData.BIT_UV;
        }
        if (backupEligible) {
            flags |= AuthenticatorData.BIT_BE;
        }
        if (backupState) {
            flags |= AuthenticatorData.BIT_BS;
        }
        if (attested) {
            flags |= AuthenticatorData.BIT_AT;
        }
        return (byte) flags;
    }

    private static byte[] clientData(String type, String challenge, String origin) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", type);
        node.put("challenge", challenge);
        node.put("origin", origin);
        node.put("crossOrigin", false);
        return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] sign(byte[] authenticatorData, byte[] clientData) {
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keyPair.getPrivate());
            signer.update(authenticatorData);
            signer.update(sha256(clientData));
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] value) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }
}
