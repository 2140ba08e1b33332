package dev.gatehouse.server.passkeys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.web.webauthn.api.AttestationConveyancePreference;
import org.springframework.security.web.webauthn.api.AuthenticatorAttachment;
import org.springframework.security.web.webauthn.api.AuthenticatorSelectionCriteria;
import org.springframework.security.web.webauthn.api.AuthenticatorTransport;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.ImmutableAuthenticationExtensionsClientInput;
import org.springframework.security.web.webauthn.api.ImmutableAuthenticationExtensionsClientInputs;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialDescriptor;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialParameters;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRequestOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRpEntity;
import org.springframework.security.web.webauthn.api.ResidentKeyRequirement;
import org.springframework.security.web.webauthn.api.UserVerificationRequirement;
import org.springframework.security.web.webauthn.authentication.HttpSessionPublicKeyCredentialRequestOptionsRepository;
import org.springframework.security.web.webauthn.jackson.WebauthnJacksonModule;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ceremony options as browser sessions hold them: Spring Session JDBC stores attributes by Java serialization, so
 * they must survive it whole.
 */
class SessionCreationOptionsRepositoryTests {

    private static final JsonMapper JSON =
            JsonMapper.builder().addModule(new WebauthnJacksonModule()).build();

    private final SettableClock clock = new SettableClock(java.time.Instant.parse("2026-12-07T05:00:00Z"));
    private final SessionCreationOptionsRepository repository = new SessionCreationOptionsRepository(clock);

    private static PublicKeyCredentialCreationOptions options() {
        return PublicKeyCredentialCreationOptions.builder()
                .challenge(Bytes.random())
                .rp(PublicKeyCredentialRpEntity.builder()
                        .id("login.example.test")
                        .name("Gatehouse")
                        .build())
                .user(ImmutablePublicKeyCredentialUserEntity.builder()
                        .id(Bytes.random())
                        .name("ada")
                        .displayName("Ada")
                        .build())
                .pubKeyCredParams(
                        PublicKeyCredentialParameters.EdDSA,
                        PublicKeyCredentialParameters.ES256,
                        PublicKeyCredentialParameters.RS256)
                .timeout(Duration.ofMinutes(5))
                .excludeCredentials(List.of(PublicKeyCredentialDescriptor.builder()
                        .id(Bytes.random())
                        .transports(AuthenticatorTransport.USB, AuthenticatorTransport.INTERNAL)
                        .build()))
                .authenticatorSelection(AuthenticatorSelectionCriteria.builder()
                        .authenticatorAttachment(AuthenticatorAttachment.PLATFORM)
                        .residentKey(ResidentKeyRequirement.REQUIRED)
                        .userVerification(UserVerificationRequirement.REQUIRED)
                        .build())
                .attestation(AttestationConveyancePreference.NONE)
                .extensions(new ImmutableAuthenticationExtensionsClientInputs(
                        ImmutableAuthenticationExtensionsClientInput.credProps))
                .build();
    }

    private static Object serializedCopy(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    @Test
    void loadWhenSavedAndSerializedThenSameOptions() throws Exception {
        PublicKeyCredentialCreationOptions options = options();
        MockHttpServletRequest request = new MockHttpServletRequest();
        repository.save(request, new MockHttpServletResponse(), options);
        Object stored = request.getSession().getAttribute(SessionCreationOptionsRepository.ATTRIBUTE);
        MockHttpServletRequest next = new MockHttpServletRequest();
        next.getSession().setAttribute(SessionCreationOptionsRepository.ATTRIBUTE, serializedCopy(stored));
        next.getSession()
                .setAttribute(
                        SessionCreationOptionsRepository.CREATED_AT,
                        serializedCopy(request.getSession().getAttribute(SessionCreationOptionsRepository.CREATED_AT)));

        PublicKeyCredentialCreationOptions loaded = repository.load(next);

        assertThat(loaded).isNotNull();
        assertThat(JSON.writeValueAsString(loaded)).isEqualTo(JSON.writeValueAsString(options));
        assertThat(loaded.getChallenge()).isEqualTo(options.getChallenge());
        assertThat(loaded.getUser().getId()).isEqualTo(options.getUser().getId());
    }

    @Test
    void loadWhenStoredWithoutItsTimeThenRefusedAsExpired() {
        MockHttpServletRequest request = new MockHttpServletRequest();
        repository.save(request, new MockHttpServletResponse(), options());
        request.getSession().removeAttribute(SessionCreationOptionsRepository.CREATED_AT);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> repository.load(request))
                .isInstanceOf(PasskeyCeremonyException.class);
    }

    @Test
    void loadWhenOlderThanTheTimeoutThenRefusedAsExpiredAndRemoved() {
        MockHttpServletRequest request = new MockHttpServletRequest();
        repository.save(request, new MockHttpServletResponse(), options());
        clock.advance(Duration.ofMinutes(5));
        assertThat(repository.load(request)).isNotNull();
        clock.advance(Duration.ofSeconds(1));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> repository.load(request))
                .isInstanceOfSatisfying(
                        PasskeyCeremonyException.class,
                        e -> assertThat(e.reason()).isEqualTo(PasskeyCeremonyException.Reason.EXPIRED));
        assertThat(repository.load(request)).isNull();
    }

    @Test
    void loadWhenRequestOptionsAreOlderThanTheTimeoutThenNoneAndRemoved() throws Exception {
        TimedRequestOptionsRepository requests = new TimedRequestOptionsRepository(clock);
        PublicKeyCredentialRequestOptions options = PublicKeyCredentialRequestOptions.builder()
                .rpId("login.example.test")
                .userVerification(UserVerificationRequirement.REQUIRED)
                .build();
        MockHttpServletRequest request = new MockHttpServletRequest();
        requests.save(request, new MockHttpServletResponse(), options);
        Object stored = request.getSession().getAttribute(TimedRequestOptionsRepository.ATTRIBUTE);
        MockHttpServletRequest next = new MockHttpServletRequest();
        next.getSession().setAttribute(TimedRequestOptionsRepository.ATTRIBUTE, serializedCopy(stored));
        clock.advance(Duration.ofMinutes(5));
        assertThat(requests.load(next)).isNotNull();
        clock.advance(Duration.ofSeconds(1));

        assertThat(requests.load(next)).isNull();
        assertThat(next.getSession().getAttribute(TimedRequestOptionsRepository.ATTRIBUTE))
                .isNull();
    }

    @Test
    void saveWhenNullThenRemoved() {
        MockHttpServletRequest request = new MockHttpServletRequest();
        repository.save(request, new MockHttpServletResponse(), options());

        repository.save(request, new MockHttpServletResponse(), null);

        assertThat(repository.load(request)).isNull();
    }

    @Test
    void loadWhenNoSessionThenNullAndNoSessionMade() {
        MockHttpServletRequest request = new MockHttpServletRequest();

        assertThat(repository.load(request)).isNull();
        repository.save(request, new MockHttpServletResponse(), null);
        assertThat(request.getSession(false)).isNull();
    }

    /** Spring's own session repository holds the request options as they are: they are Serializable. */
    @Test
    void requestOptionsWhenSavedBySpringsSessionRepositoryThenSurviveSerialization() throws Exception {
        PublicKeyCredentialRequestOptions options = PublicKeyCredentialRequestOptions.builder()
                .rpId("login.example.test")
                .userVerification(UserVerificationRequirement.REQUIRED)
                .allowCredentials(List.of(PublicKeyCredentialDescriptor.builder()
                        .id(Bytes.random())
                        .transports(AuthenticatorTransport.HYBRID)
                        .build()))
                .build();
        HttpSessionPublicKeyCredentialRequestOptionsRepository spring =
                new HttpSessionPublicKeyCredentialRequestOptionsRepository();
        MockHttpServletRequest request = new MockHttpServletRequest();
        spring.save(request, new MockHttpServletResponse(), options);
        MockHttpServletRequest next = new MockHttpServletRequest();
        for (String name : java.util.Collections.list(request.getSession().getAttributeNames())) {
            next.getSession()
                    .setAttribute(name, serializedCopy(request.getSession().getAttribute(name)));
        }

        PublicKeyCredentialRequestOptions loaded = spring.load(next);

        assertThat(loaded).isNotNull();
        assertThat(JSON.writeValueAsString(loaded)).isEqualTo(JSON.writeValueAsString(options));
    }
}
