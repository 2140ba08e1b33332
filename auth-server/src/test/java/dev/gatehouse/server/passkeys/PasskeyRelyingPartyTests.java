package dev.gatehouse.server.passkeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.passkeys.PasskeyCeremonyException.Reason;
import dev.gatehouse.server.testsupport.H2Database;
import dev.gatehouse.server.testsupport.TestAuthenticator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.webauthn.api.AuthenticatorAssertionResponse;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.CredentialRecord;
import org.springframework.security.web.webauthn.api.PublicKeyCredential;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRequestOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.ResidentKeyRequirement;
import org.springframework.security.web.webauthn.api.UserVerificationRequirement;
import org.springframework.security.web.webauthn.jackson.WebauthnJacksonModule;
import org.springframework.security.web.webauthn.management.ImmutablePublicKeyCredentialCreationOptionsRequest;
import org.springframework.security.web.webauthn.management.ImmutablePublicKeyCredentialRequestOptionsRequest;
import org.springframework.security.web.webauthn.management.ImmutableRelyingPartyRegistrationRequest;
import org.springframework.security.web.webauthn.management.RelyingPartyAuthenticationRequest;
import org.springframework.security.web.webauthn.management.RelyingPartyPublicKey;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link PasskeyRelyingParty} with the software {@link TestAuthenticator}, on the real schema (H2): the happy
 * ceremonies, and each way a ceremony is refused, with its reason and nothing stored or changed.
 */
class PasskeyRelyingPartyTests {

    private static final String ORIGIN = "https://login.example.test";
    private static final JsonMapper JSON =
            JsonMapper.builder().addModule(new WebauthnJacksonModule()).build();

    private final SettableClock clock = new SettableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private JdbcTemplate jdbc;
    private JdbcPasskeyStore store;
    private PasskeyRelyingParty rp;

    @BeforeEach
    void setUp() {
        H2Database database = H2Database.migrated("passkey-rp");
        jdbc = database.jdbc();
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('ada', 'x'), ('bob', 'x')");
        store = new JdbcPasskeyStore(jdbc, clock);
        rp = relyingParty(Set.of());
    }

    private PasskeyRelyingParty relyingParty(Set<UUID> aaguids) {
        PasskeyRelyingPartySettings settings =
                new PasskeyRelyingPartySettings("login.example.test", "Gatehouse", List.of(ORIGIN));
        return new PasskeyRelyingParty(store, store, settings, aaguids, () -> Set.of(ORIGIN));
    }

    // ---- happy ceremonies

    @Test
    void createOptionsWhenAskedThenUserVerificationAndResidentKeyRequiredAndNoAttestation() {
        PublicKeyCredentialCreationOptions creation = creationOptions("ada");
        assertThat(creation.getAuthenticatorSelection().getUserVerification())
                .isEqualTo(UserVerificationRequirement.REQUIRED);
        assertThat(creation.getAuthenticatorSelection().getResidentKey()).isEqualTo(ResidentKeyRequirement.REQUIRED);
        assertThat(creation.getAttestation().getValue()).isEqualTo("none");
        assertThat(creation.getRp().getId()).isEqualTo("login.example.test");
        PublicKeyCredentialRequestOptions request = requestOptions(null);
        assertThat(request.getUserVerification()).isEqualTo(UserVerificationRequirement.REQUIRED);
        assertThat(request.getRpId()).isEqualTo("login.example.test");
    }

    @Test
    void registerWhenValidThenStoredWithLabelFlagsAndTransports() {
        TestAuthenticator key = TestAuthenticator.create().backup(true, true).label("  Laptop  ");

        CredentialRecord record = register(key, "ada");

        assertThat(record.getLabel()).isEqualTo("  Laptop  ");
        assertThat(store.list("ada")).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(key.credentialId());
            assertThat(p.label()).isEqualTo("Laptop");
            assertThat(p.created()).isEqualTo(clock.instant());
            assertThat(p.lastUsed()).isNull();
            assertThat(p.backupEligible()).isTrue();
            assertThat(p.backedUp()).isTrue();
            assertThat(p.transports()).containsExactly("hybrid", "internal");
        });
        assertThat(store.hasAny("bob")).isFalse();
    }

    @Test
    void registerWhenOptionsWentThroughTheSessionSerializedThenStillRegisters() throws Exception {
        PublicKeyCredentialCreationOptions options = creationOptions("ada");
        SessionCreationOptionsRepository repository = new SessionCreationOptionsRepository(clock);
        MockHttpServletRequest request = new MockHttpServletRequest();
        repository.save(request, new MockHttpServletResponse(), options);
        MockHttpServletRequest next = new MockHttpServletRequest();
        next.setSession(serializedCopy((MockHttpSession) request.getSession()));

        PublicKeyCredentialCreationOptions loaded = repository.load(next);

        assertThat(loaded).isNotNull();
        assertThat(JSON.writeValueAsString(loaded)).isEqualTo(JSON.writeValueAsString(options));
        TestAuthenticator key = TestAuthenticator.create();
        rp.registerCredential(new ImmutableRelyingPartyRegistrationRequest(
                loaded, publicKey(key.register(JSON.writeValueAsString(loaded), ORIGIN))));
        assertThat(store.hasAny("ada")).isTrue();
    }

    @Test
    void authenticateWhenDiscoverableThenOwnerAndCounterAndLastUsedRecorded() {
        TestAuthenticator key = TestAuthenticator.create();
        register(key, "ada");
        clock.advance(Duration.ofMinutes(5));

        PublicKeyCredentialUserEntity user = authenticate(key, requestOptions(null));

        assertThat(user.getName()).isEqualTo("ada");
        assertThat(stored(key).getSignatureCount()).isEqualTo(1);
        assertThat(store.list("ada").get(0).lastUsed()).isEqualTo(clock.instant());
        authenticate(key, requestOptions(null));
        assertThat(stored(key).getSignatureCount()).isEqualTo(2);
    }

    @Test
    void authenticateWhenBackupStateChangedThenLastSeenStateRecorded() {
        TestAuthenticator key = TestAuthenticator.create().backup(true, false);
        register(key, "ada");
        assertThat(store.list("ada").get(0).backedUp()).isFalse();

        authenticate(key.backup(true, true), requestOptions(null));

        assertThat(store.list("ada").get(0).backedUp()).isTrue();
        assertThat(store.list("ada").get(0).backupEligible()).isTrue();
    }

    @Test
    void authenticateWhenCounterAlwaysZeroThenAccepted() {
        TestAuthenticator key = TestAuthenticator.create().zeroCounter();
        register(key, "ada");

        authenticate(key, requestOptions(null));
        authenticate(key, requestOptions(null));

        assertThat(stored(key).getSignatureCount()).isZero();
    }

    @Test
    void authenticateWhenUserIdentifiedAndCredentialAllowedThenAccepted() {
        TestAuthenticator key = TestAuthenticator.create();
        register(key, "ada");

        assertThat(authenticate(key, requestOptions(user("ada"))).getName()).isEqualTo("ada");
    }

    // ---- registration refused, nothing stored

    @Test
    void registerWhenWrongOriginThenOriginAndNothingStored() {
        TestAuthenticator key = TestAuthenticator.create();
        PublicKeyCredentialCreationOptions options = creationOptions("ada");

        assertRefused(() -> register(key, options, "https://evil.example"), Reason.ORIGIN, key);
        assertThat(store.hasAny("ada")).isFalse();
    }

    @Test
    void registerWhenOtherRpIdThenRpIdAndNothingStored() {
        TestAuthenticator key = TestAuthenticator.create().rpId("evil.example");

        assertRefused(() -> register(key, "ada"), Reason.RP_ID, key);
        assertThat(store.hasAny("ada")).isFalse();
    }

    @Test
    void registerWhenChallengeOfOtherOptionsThenChallengeAndNothingStored() {
        TestAuthenticator key = TestAuthenticator.create();
        PublicKeyCredentialCreationOptions answered = creationOptions("ada");
        PublicKeyCredentialCreationOptions expected = creationOptions("ada");
        RelyingPartyPublicKey publicKey = publicKey(key.register(JSON.writeValueAsString(answered), ORIGIN));

        assertRefused(
                () -> rp.registerCredential(new ImmutableRelyingPartyRegistrationRequest(expected, publicKey)),
                Reason.CHALLENGE,
                key);
        assertThat(store.hasAny("ada")).isFalse();
    }

    @Test
    void registerWhenUserNotVerifiedThenUserVerificationAndNothingStored() {
        TestAuthenticator key = TestAuthenticator.create().userVerified(false);

        assertRefused(() -> register(key, "ada"), Reason.USER_VERIFICATION, key);
        assertThat(store.hasAny("ada")).isFalse();
    }

    @Test
    void registerWhenAaguidNotAllowedThenAaguidAndNothingStored() {
        UUID allowed = UUID.fromString("08987058-cadc-4b81-b6e1-30de50dcbe96");
        rp = relyingParty(Set.of(allowed));
        TestAuthenticator other = TestAuthenticator.create().aaguid(UUID.randomUUID());

        assertRefused(() -> register(other, "ada"), Reason.AAGUID, other);
        assertThat(store.hasAny("ada")).isFalse();

        register(TestAuthenticator.create().aaguid(allowed), "ada");
        assertThat(store.list("ada")).hasSize(1);
    }

    @Test
    void registerWhenAttestationObjectNotCborThenMalformedAndNothingStored() {
        TestAuthenticator key =
                TestAuthenticator.create().attestationObject(new byte[] {(byte) 0xa3, 0x01, (byte) 0xff});

        assertRefused(() -> register(key, "ada"), Reason.MALFORMED, key);
        assertThat(store.hasAny("ada")).isFalse();
    }

    @Test
    void registerWhenAttestationObjectOversizedThenMalformedAndNothingStored() {
        TestAuthenticator key = TestAuthenticator.create().attestationObject(new byte[20_000]);

        assertRefused(() -> register(key, "ada"), Reason.MALFORMED, key);
        assertThat(store.hasAny("ada")).isFalse();
    }

    @Test
    void registerWhenLabelHasControlCharactersThenLabelAndNothingStored() {
        TestAuthenticator key = TestAuthenticator.create().label("Laptop\u0007");

        assertRefused(() -> register(key, "ada"), Reason.LABEL, key);
        assertThat(store.hasAny("ada")).isFalse();
    }

    @Test
    void registerWhenCredentialAlreadyRegisteredThenAlreadyRegisteredAndOwnerUnchanged() {
        TestAuthenticator key = TestAuthenticator.create();
        register(key, "ada");

        assertRefused(() -> register(key, "bob"), Reason.ALREADY_REGISTERED, key);
        assertThat(store.hasAny("bob")).isFalse();
        assertThat(store.list("ada")).hasSize(1);
    }

    // ---- assertion refused, nothing changed

    @Test
    void authenticateWhenWrongOriginThenOriginAndCounterUnchanged() {
        TestAuthenticator key = registered("ada");
        PublicKeyCredentialRequestOptions options = requestOptions(null);

        assertRefused(() -> authenticate(key, options, "https://evil.example"), Reason.ORIGIN, key);
        assertUnchanged(key);
    }

    @Test
    void authenticateWhenOtherRpIdThenRpIdAndCounterUnchanged() {
        TestAuthenticator key = registered("ada");
        key.rpId("evil.example");

        assertRefused(() -> authenticate(key, requestOptions(null)), Reason.RP_ID, key);
        assertUnchanged(key);
    }

    @Test
    void authenticateWhenChallengeOfOtherOptionsThenChallengeAndCounterUnchanged() {
        TestAuthenticator key = registered("ada");
        PublicKeyCredentialRequestOptions answered = requestOptions(null);
        PublicKeyCredentialRequestOptions expected = requestOptions(null);
        PublicKeyCredential<AuthenticatorAssertionResponse> credential =
                assertionCredential(key.assertion(JSON.writeValueAsString(answered), ORIGIN));

        assertRefused(
                () -> rp.authenticate(new RelyingPartyAuthenticationRequest(expected, credential)),
                Reason.CHALLENGE,
                key);
        assertUnchanged(key);
    }

    @Test
    void authenticateWhenSameAssertionTwiceThenSecondIsCounterRegression() {
        TestAuthenticator key = registered("ada");
        PublicKeyCredentialRequestOptions options = requestOptions(null);
        PublicKeyCredential<AuthenticatorAssertionResponse> credential =
                assertionCredential(key.assertion(JSON.writeValueAsString(options), ORIGIN));
        rp.authenticate(new RelyingPartyAuthenticationRequest(options, credential));
        Instant lastUsed = store.list("ada").get(0).lastUsed();
        clock.advance(Duration.ofMinutes(1));

        assertRefused(
                () -> rp.authenticate(new RelyingPartyAuthenticationRequest(options, credential)), Reason.COUNTER, key);
        assertThat(stored(key).getSignatureCount()).isEqualTo(1);
        assertThat(store.list("ada").get(0).lastUsed()).isEqualTo(lastUsed);
    }

    @Test
    void authenticateWhenCounterWentDownThenSignatureCounterRegressionAndNothingChanged() {
        TestAuthenticator key = registered("ada");
        key.signatureCount(10);
        authenticate(key, requestOptions(null));
        Instant lastUsed = store.list("ada").get(0).lastUsed();
        clock.advance(Duration.ofMinutes(1));
        // Above the registration-time counter (0) that webauthn4j compares with, below the stored 10: only the
        // store's conditional update can see it.
        key.signatureCount(5);

        assertThatThrownBy(() -> authenticate(key, requestOptions(null)))
                .isInstanceOf(SignatureCounterRegression.class)
                .satisfies(e -> assertThat(((SignatureCounterRegression) e).credentialRef())
                        .isEqualTo(PasskeyIds.ref(key.rawCredentialId())))
                .message()
                .doesNotContain(key.credentialId());
        assertThat(stored(key).getSignatureCount()).isEqualTo(10);
        assertThat(store.list("ada").get(0).lastUsed()).isEqualTo(lastUsed);
    }

    @Test
    void authenticateWhenCounterBelowRegistrationThenSignatureCounterRegression() {
        TestAuthenticator key = TestAuthenticator.create().signatureCount(7);
        register(key, "ada");
        key.signatureCount(3);

        assertRefused(() -> authenticate(key, requestOptions(null)), Reason.COUNTER, key);
        assertThat(stored(key).getSignatureCount()).isEqualTo(7);
    }

    @Test
    void authenticateWhenCredentialOfAnotherUserThanAllowedThenNotAllowedAndNothingChanged() {
        registered("ada");
        TestAuthenticator bobs = registered("bob");
        PublicKeyCredentialRequestOptions forAda = requestOptions(user("ada"));
        assertThat(forAda.getAllowCredentials()).hasSize(1);

        assertRefused(() -> authenticate(bobs, forAda), Reason.NOT_ALLOWED_CREDENTIAL, bobs);
        assertUnchanged(bobs);
    }

    @Test
    void authenticateWhenUserHandleOfAnotherUserThenUserHandleAndNothingChanged() {
        TestAuthenticator adas = registered("ada");
        TestAuthenticator bobs = registered("bob");
        bobs.userHandleOverride(adas.userHandle());

        assertRefused(() -> authenticate(bobs, requestOptions(null)), Reason.USER_HANDLE, bobs);
        assertUnchanged(bobs);
    }

    @Test
    void authenticateWhenDiscoverableWithoutUserHandleThenUserHandle() {
        TestAuthenticator key = registered("ada");
        key.returnUserHandle(false);

        assertRefused(() -> authenticate(key, requestOptions(null)), Reason.USER_HANDLE, key);
        assertUnchanged(key);
    }

    @Test
    void authenticateWhenUserNotVerifiedThenUserVerificationAndNothingChanged() {
        TestAuthenticator key = registered("ada");
        key.userVerified(false);

        assertRefused(() -> authenticate(key, requestOptions(null)), Reason.USER_VERIFICATION, key);
        assertUnchanged(key);
    }

    @Test
    void authenticateWhenSignatureIsGarbageThenSignatureAndNothingChanged() {
        TestAuthenticator key = registered("ada");
        PublicKeyCredentialRequestOptions options = requestOptions(null);
        ObjectNode body = (ObjectNode) JSON.readTree(key.assertion(JSON.writeValueAsString(options), ORIGIN));
        ((ObjectNode) body.get("response")).put("signature", "MEUCIQDx");

        assertRefused(
                () -> rp.authenticate(new RelyingPartyAuthenticationRequest(
                        options, assertionCredential(JSON.writeValueAsString(body)))),
                Reason.SIGNATURE,
                key);
        assertUnchanged(key);
    }

    @Test
    void authenticateWhenPayloadsOversizedOrGarbageThenMalformedAndNothingChanged() {
        TestAuthenticator key = registered("ada");
        String huge = Bytes.random().toBase64UrlString().repeat(200);
        for (Map.Entry<String, String> field : Map.of(
                        "clientDataJSON", huge,
                        "authenticatorData", "AAAA",
                        "signature", huge)
                .entrySet()) {
            PublicKeyCredentialRequestOptions options = requestOptions(null);
            ObjectNode body = (ObjectNode) JSON.readTree(key.assertion(JSON.writeValueAsString(options), ORIGIN));
            ((ObjectNode) body.get("response")).put(field.getKey(), field.getValue());

            assertRefused(
                    () -> rp.authenticate(new RelyingPartyAuthenticationRequest(
                            options, assertionCredential(JSON.writeValueAsString(body)))),
                    Reason.MALFORMED,
                    key);
        }
        assertUnchanged(key);
    }

    @Test
    void authenticateWhenCredentialUnknownThenUnknownCredential() {
        TestAuthenticator key = registered("ada");
        store.remove("ada", key.credentialId());

        assertRefused(() -> authenticate(key, requestOptions(null)), Reason.UNKNOWN_CREDENTIAL, key);
    }

    // ---- helpers

    private TestAuthenticator registered(String username) {
        TestAuthenticator key = TestAuthenticator.create();
        register(key, username);
        return key;
    }

    private void assertUnchanged(TestAuthenticator key) {
        CredentialRecord record = stored(key);
        assertThat(record.getSignatureCount()).isZero();
        assertThat(record.getLastUsed()).isEqualTo(record.getCreated());
    }

    private static void assertRefused(Runnable ceremony, Reason reason, TestAuthenticator key) {
        assertThatThrownBy(ceremony::run)
                .isInstanceOf(PasskeyCeremonyException.class)
                .satisfies(
                        e -> assertThat(((PasskeyCeremonyException) e).reason()).isEqualTo(reason))
                .message()
                .doesNotContain(key.credentialId())
                .doesNotContain(Arrays.toString(key.rawCredentialId()));
    }

    private CredentialRecord stored(TestAuthenticator key) {
        CredentialRecord record = store.findByCredentialId(new Bytes(key.rawCredentialId()));
        assertThat(record).isNotNull();
        return record;
    }

    private static Authentication user(String username) {
        return UsernamePasswordAuthenticationToken.authenticated(username, null, List.of());
    }

    private PublicKeyCredentialCreationOptions creationOptions(String username) {
        return rp.createPublicKeyCredentialCreationOptions(
                new ImmutablePublicKeyCredentialCreationOptionsRequest(user(username)));
    }

    private PublicKeyCredentialRequestOptions requestOptions(Authentication authentication) {
        return rp.createCredentialRequestOptions(new ImmutablePublicKeyCredentialRequestOptionsRequest(authentication));
    }

    private CredentialRecord register(TestAuthenticator key, String username) {
        return register(key, creationOptions(username), ORIGIN);
    }

    private CredentialRecord register(
            TestAuthenticator key, PublicKeyCredentialCreationOptions options, String origin) {
        RelyingPartyPublicKey publicKey = publicKey(key.register(JSON.writeValueAsString(options), origin));
        return rp.registerCredential(new ImmutableRelyingPartyRegistrationRequest(options, publicKey));
    }

    private PublicKeyCredentialUserEntity authenticate(
            TestAuthenticator key, PublicKeyCredentialRequestOptions options) {
        return authenticate(key, options, ORIGIN);
    }

    private PublicKeyCredentialUserEntity authenticate(
            TestAuthenticator key, PublicKeyCredentialRequestOptions options, String origin) {
        PublicKeyCredential<AuthenticatorAssertionResponse> credential =
                assertionCredential(key.assertion(JSON.writeValueAsString(options), origin));
        return rp.authenticate(new RelyingPartyAuthenticationRequest(options, credential));
    }

    /** The registration body as Spring's registration filter reads it ({@code publicKey}). */
    static RelyingPartyPublicKey publicKey(String registrationBody) {
        JsonNode body = JSON.readTree(registrationBody);
        return JSON.treeToValue(body.get("publicKey"), RelyingPartyPublicKey.class);
    }

    /** The assertion body as Spring's authentication filter reads it. */
    static PublicKeyCredential<AuthenticatorAssertionResponse> assertionCredential(String assertionBody) {
        return JSON.readValue(
                assertionBody, new TypeReference<PublicKeyCredential<AuthenticatorAssertionResponse>>() {});
    }

    private static MockHttpSession serializedCopy(MockHttpSession session) throws Exception {
        MockHttpSession copy = new MockHttpSession();
        for (String name : java.util.Collections.list(session.getAttributeNames())) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(session.getAttribute(name));
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                copy.setAttribute(name, in.readObject());
            }
        }
        return copy;
    }
}
