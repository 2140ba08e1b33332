package dev.gatehouse.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.mfa.InMemoryTotpFactorStore;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.passkeys.PasskeyCeremonyException;
import dev.gatehouse.server.passkeys.PasskeyIds;
import dev.gatehouse.server.passkeys.Passkeys;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialParameters;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRpEntity;
import org.springframework.security.web.webauthn.registration.PublicKeyCredentialCreationOptionsRepository;

/**
 * The guard of Spring Security's passkey registration endpoints: who may register (a fresh account session, or a
 * sign-in that was shown {@code /mfa/passkey/register} and has no passkey), what is refused and how (403 or 405 with
 * JSON, nothing passed on), and the registration's audit (the credential as a short hash, never its id). Registering
 * grants no factor: the session's authorities are the same after it (issue #16's recovery rule: nothing but using a
 * passkey meets a phishing-resistant requirement).
 */
class PasskeyRegistrationGuardTests {

    private static final Instant NOW = Instant.parse("2026-12-07T05:00:00Z");
    private static final Duration MAX_AGE = Duration.ofMinutes(5);
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final TotpService totp = TotpService.builder()
            .issuer("Test")
            .envelope(Envelope.of(MasterKey.generate(new SecureRandom())))
            .store(new InMemoryTotpFactorStore())
            .clock(clock)
            .build();
    private final FakePasskeys passkeys = new FakePasskeys();
    /** carol's administrator requires a second factor of her; she has none yet. erin's requires a passkey. */
    private final MfaPolicy policy = new MfaPolicy(
            totp,
            new InMemoryRegisteredClientRepository(RegisteredClient.withId("c")
                    .clientId("c")
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                    .build()),
            name -> name.equals("carol"),
            passkeys::hasAny,
            name -> name.equals("erin"));

    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, PublicKeyCredentialCreationOptions> started = new ConcurrentHashMap<>();
    private final PublicKeyCredentialCreationOptionsRepository creationOptions =
            new PublicKeyCredentialCreationOptionsRepository() {
                @Override
                public void save(
                        jakarta.servlet.http.HttpServletRequest request,
                        HttpServletResponse response,
                        @Nullable PublicKeyCredentialCreationOptions options) {
                    if (options == null) {
                        started.remove("options");
                    } else {
                        started.put("options", options);
                    }
                }

                @Override
                public @Nullable PublicKeyCredentialCreationOptions load(jakarta.servlet.http.HttpServletRequest r) {
                    return started.get("options");
                }
            };
    private final PasskeyRegistrationGuard guard = new PasskeyRegistrationGuard(
            policy, new Factors(policy, clock, MAX_AGE), passkeys, new AccountAudit(events::add), creationOptions);

    @AfterEach
    void clearContext() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void optionsWhenAnonymousThenForbiddenJsonAndNothingPassedOn() throws Exception {
        SecurityContextHolder.getContext()
                .setAuthentication(new AnonymousAuthenticationToken(
                        "k", "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")));
        CountingChain chain = new CountingChain();

        MockHttpServletResponse response = run(post("/webauthn/register/options"), chain);

        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(response.getContentType()).startsWith("application/json");
        assertThat(response.getContentAsString()).contains("\"error\":\"sign_in_required\"");
        assertThat(chain.calls.get()).isZero();
    }

    @Test
    void optionsWhenFreshAccountSessionThenPassedOn() throws Exception {
        signIn("alice", password(NOW.minusSeconds(60)));
        CountingChain chain = new CountingChain();

        MockHttpServletResponse response = run(post("/webauthn/register/options"), chain);

        assertThat(chain.calls.get()).isOne();
        assertThat(response.getStatus()).isEqualTo(200);
    }

    @Test
    void registerWhenSignInIsStaleThenForbiddenWithWhereToConfirmAndAuditedDenied() throws Exception {
        signIn("alice", password(NOW.minus(MAX_AGE).minusSeconds(1)));
        CountingChain chain = new CountingChain();

        MockHttpServletResponse response = run(post("/webauthn/register"), chain);

        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(response.getContentAsString())
                .contains("\"error\":\"stale\"")
                .contains("\"confirm\":\"/account/confirm?next=/account/passkeys\"");
        assertThat(chain.calls.get()).isZero();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEvents.PASSKEY_REGISTER);
            assertThat(e.outcome()).isEqualTo(AuditEvent.DENIED);
            assertThat(e.details()).containsEntry("reason", "stale");
        });
    }

    @Test
    void registerWhenUserHasTotpAndOnlyThePasswordWasProvedThenForbiddenEvenFromTheSignInPage() throws Exception {
        TotpSecret key = TotpSecret.fromBase32(totp.enrol("bob", "bob").secretBase32());
        assertThat(totp.confirm("bob", TOTP.code(key, NOW)).accepted()).isTrue();
        signIn("bob", password(NOW));
        MockHttpServletRequest request = post("/webauthn/register/options");
        request.getSession().setAttribute(PasskeyRegistrationGuard.SIGN_IN_REGISTRATION, "bob");
        CountingChain chain = new CountingChain();

        MockHttpServletResponse response = run(request, chain);

        // A passkey registered on the password alone would later stand in for the TOTP factor it skipped.
        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(chain.calls.get()).isZero();
    }

    @Test
    void optionsWhenSecondFactorOwedAndMissingThenOnlyFromTheSignInPageAndOnlyWithoutAPasskey() throws Exception {
        signIn("carol", password(NOW));
        CountingChain chain = new CountingChain();
        assertThat(run(post("/webauthn/register/options"), chain).getStatus()).isEqualTo(403);
        assertThat(run(post("/webauthn/register/options"), chain).getContentAsString())
                .contains("\"error\":\"factor_missing\"");

        MockHttpServletRequest fromPage = post("/webauthn/register/options");
        fromPage.getSession().setAttribute(PasskeyRegistrationGuard.SIGN_IN_REGISTRATION, "carol");
        assertThat(run(fromPage, chain).getStatus()).isEqualTo(200);
        assertThat(chain.calls.get()).isOne();

        // Shown to another user's session, or once carol has a passkey: refused.
        MockHttpServletRequest othersNote = post("/webauthn/register/options");
        othersNote.getSession().setAttribute(PasskeyRegistrationGuard.SIGN_IN_REGISTRATION, "mallory");
        assertThat(run(othersNote, chain).getStatus()).isEqualTo(403);
        passkeys.add("carol", "AQID", "first");
        MockHttpServletRequest again = post("/webauthn/register/options");
        again.getSession().setAttribute(PasskeyRegistrationGuard.SIGN_IN_REGISTRATION, "carol");
        assertThat(run(again, chain).getStatus()).isEqualTo(403);
        assertThat(chain.calls.get()).isOne();
    }

    @Test
    void deleteWhenSpringsRemovalEndpointIsCalledThenMethodNotAllowedAndNothingRemoved() throws Exception {
        signIn("alice", password(NOW));
        passkeys.add("alice", "AQID", "laptop");
        CountingChain chain = new CountingChain();
        MockHttpServletRequest request = new MockHttpServletRequest("DELETE", "/webauthn/register/AQID");

        MockHttpServletResponse response = run(request, chain);

        assertThat(response.getStatus()).isEqualTo(405);
        assertThat(response.getHeader("Allow")).isEqualTo("POST");
        assertThat(response.getContentAsString()).contains("/account/passkeys");
        assertThat(chain.calls.get()).isZero();
        assertThat(passkeys.hasAny("alice")).isTrue();
    }

    @Test
    void registerWhenStoredThenAuditedWithTheShortHashOnlyAndTheSessionGainsNoFactor() throws Exception {
        // Recovery (issue #16): a user who lost every passkey proves the password and a recovery code (the OTP
        // factor), may register a new passkey, and still holds no passkey factor until using it.
        Authentication user = signIn("dave", password(NOW), otp(NOW));
        String id = "q83vEjRWeJA";
        FilterChain registers = (req, res) -> {
            passkeys.add("dave", id, "new laptop");
            ((HttpServletResponse) res).setStatus(200);
        };

        MockHttpServletResponse response = run(post("/webauthn/register"), registers);

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEvents.PASSKEY_REGISTER);
            assertThat(e.outcome()).isEqualTo(AuditEvent.SUCCESS);
            assertThat(e.actor()).isEqualTo("dave");
            assertThat(e.details()).containsEntry("credential", PasskeyIds.ref(id));
            assertThat(e.toString()).doesNotContain(id);
        });
        Authentication after = SecurityContextHolder.getContext().getAuthentication();
        assertThat(after).isSameAs(user);
        assertThat(after.getAuthorities())
                .extracting(GrantedAuthority::getAuthority)
                .doesNotContain(MfaPolicy.PASSKEY_AUTHORITY);
    }

    @Test
    void registerWhenTheRelyingPartyRefusesThenBadRequestWithItsCodeAndAuditedFailure() throws Exception {
        signIn("alice", password(NOW));
        FilterChain refuses = (req, res) -> {
            throw new PasskeyCeremonyException(PasskeyCeremonyException.Reason.ORIGIN, "wrong origin");
        };

        MockHttpServletResponse response = run(post("/webauthn/register"), refuses);

        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentAsString()).contains("\"error\":\"origin\"");
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEvent.FAILURE);
            assertThat(e.details()).containsEntry("reason", "origin");
        });
        assertThat(passkeys.hasAny("alice")).isFalse();
    }

    @Test
    void optionsWhenUserHasAPasskeyAndProvedOnlyThePasswordAndACodeThenAFreshPasskeyIsNeeded() throws Exception {
        // A relayed password and TOTP code (a real-time phish) must not add a passkey (WebAuthn Level 3 §13.4.9).
        passkeys.add("alice", "AQID", "laptop");
        signIn("alice", password(NOW), otp(NOW));
        CountingChain chain = new CountingChain();

        MockHttpServletResponse response = run(post("/webauthn/register/options"), chain);

        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(response.getContentAsString())
                .contains("\"error\":\"passkey_needed\"")
                .contains("\"confirm\":\"/account/confirm?next=/account/passkeys\"");
        assertThat(chain.calls.get()).isZero();
    }

    @Test
    void optionsWhenUserHasAPasskeyAndJustUsedOneThenPassedOn() throws Exception {
        passkeys.add("alice", "AQID", "laptop");
        // Spring's merge keeps the older password factor beside the fresh passkey one.
        signIn("alice", password(NOW.minus(MAX_AGE).minusSeconds(60)), passkey(NOW.minusSeconds(10)));
        CountingChain chain = new CountingChain();

        assertThat(run(post("/webauthn/register/options"), chain).getStatus()).isEqualTo(200);
        assertThat(chain.calls.get()).isOne();
    }

    @Test
    void optionsWhenPasskeyRequiredAndUserHasNoneThenPasswordAndCodeRegisterAsRecoveryAudited() throws Exception {
        signIn("erin", password(NOW), otp(NOW));
        assertThat(run(post("/webauthn/register/options"), new CountingChain()).getStatus())
                .isEqualTo(200);
        FilterChain registers = (req, res) -> {
            passkeys.add("erin", "q83vEjRWeJA", "replacement");
            ((HttpServletResponse) res).setStatus(200);
        };

        assertThat(run(post("/webauthn/register"), registers).getStatus()).isEqualTo(200);

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEvent.SUCCESS);
            assertThat(e.details()).containsEntry("recovery", "true");
        });
        // Once she has one again, the next needs it.
        assertThat(run(post("/webauthn/register/options"), new CountingChain()).getStatus())
                .isEqualTo(403);
    }

    @Test
    void registerWhenTheCeremonyWasStartedForAnotherUserThenForbiddenAndItsOptionsDropped() throws Exception {
        // Options of mallory's ceremony, left in the browser's session when alice signed in there.
        started.put(
                "options",
                PublicKeyCredentialCreationOptions.builder()
                        .challenge(Bytes.random())
                        .rp(PublicKeyCredentialRpEntity.builder()
                                .id("localhost")
                                .name("Test")
                                .build())
                        .user(ImmutablePublicKeyCredentialUserEntity.builder()
                                .id(Bytes.random())
                                .name("mallory")
                                .displayName("mallory")
                                .build())
                        .pubKeyCredParams(List.of(PublicKeyCredentialParameters.ES256))
                        .build());
        signIn("alice", password(NOW));
        CountingChain chain = new CountingChain();

        MockHttpServletResponse response = run(post("/webauthn/register"), chain);

        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(response.getContentAsString()).contains("\"error\":\"other_user\"");
        assertThat(chain.calls.get()).isZero();
        assertThat(started).isEmpty();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEvent.DENIED);
            assertThat(e.details()).containsEntry("reason", "other_user");
        });
    }

    @Test
    void otherPathsWhenRequestedThenNotTouched() throws Exception {
        CountingChain chain = new CountingChain();
        MockHttpServletResponse response = run(post("/login/webauthn"), chain);
        assertThat(chain.calls.get()).isOne();
        assertThat(response.getStatus()).isEqualTo(200);
    }

    private MockHttpServletResponse run(MockHttpServletRequest request, FilterChain chain) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        guard.doFilter(request, response, chain);
        return response;
    }

    private static MockHttpServletRequest post(String path) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
        request.setServletPath(path);
        return request;
    }

    private static Authentication signIn(String name, GrantedAuthority... authorities) {
        Authentication user = UsernamePasswordAuthenticationToken.authenticated(name, null, List.of(authorities));
        SecurityContextHolder.getContext().setAuthentication(user);
        return user;
    }

    private static GrantedAuthority password(Instant at) {
        return FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY)
                .issuedAt(at)
                .build();
    }

    private static GrantedAuthority otp(Instant at) {
        return FactorGrantedAuthority.withAuthority(MfaPolicy.OTP_AUTHORITY)
                .issuedAt(at)
                .build();
    }

    private static GrantedAuthority passkey(Instant at) {
        return FactorGrantedAuthority.withAuthority(MfaPolicy.PASSKEY_AUTHORITY)
                .issuedAt(at)
                .build();
    }

    private static final class CountingChain implements FilterChain {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void doFilter(jakarta.servlet.ServletRequest request, jakarta.servlet.ServletResponse response) {
            calls.incrementAndGet();
        }
    }

    private static final class FakePasskeys implements Passkeys {
        private final Map<String, List<Passkey>> byUser = new ConcurrentHashMap<>();

        void add(String user, String id, String label) {
            byUser.computeIfAbsent(user, u -> new CopyOnWriteArrayList<>())
                    .add(new Passkey(id, label, NOW, null, false, false, List.of("internal")));
        }

        @Override
        public List<Passkey> list(String username) {
            return List.copyOf(byUser.getOrDefault(username, List.of()));
        }

        @Override
        public boolean hasAny(String username) {
            return !list(username).isEmpty();
        }

        @Override
        public boolean remove(String username, String credentialId) {
            List<Passkey> own = byUser.getOrDefault(username, new ArrayList<>());
            return own.removeIf(p -> p.id().equals(credentialId));
        }

        @Override
        public Removal removeUnlessLast(String username, String credentialId) {
            List<Passkey> own = byUser.getOrDefault(username, new ArrayList<>());
            if (own.stream().noneMatch(p -> p.id().equals(credentialId))) {
                return Removal.UNKNOWN;
            }
            return own.size() > 1 && remove(username, credentialId) ? Removal.REMOVED : Removal.LAST;
        }

        @Override
        public int removeAll(String username) {
            List<Passkey> removed = byUser.remove(username);
            return removed == null ? 0 : removed.size();
        }
    }
}
