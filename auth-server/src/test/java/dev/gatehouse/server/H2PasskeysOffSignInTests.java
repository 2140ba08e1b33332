package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With {@code gatehouse.server.passkeys.enabled=false} a user whose only second factor is a stored passkey still owes
 * a second factor (issue #16, fail closed): the sign-in goes to the recovery-code step, never to a code with the
 * password alone nor to TOTP enrolment with the password alone; discovery does not advertise the phishing-resistant
 * {@code acr}, which nothing can meet then.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.passkeys.enabled=false"
        })
class H2PasskeysOffSignInTests {

    static final Path DATA;
    static final String PASSWORD = "correct horse battery 9";

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-passkeys-off-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets clientSecrets;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    RecoveryCodes recoveryCodes;

    @Autowired
    Clock clock;

    @Test
    void signInWhenOnlyFactorIsStoredPasskeyAndPasskeysOffThenRecoveryStepNotPasswordAlone() throws Exception {
        String base = "http://localhost:" + port;
        String secret = clientSecrets.generate();
        String clientId = registerClient(secret);
        String name = "pk-off-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        storePasskey(name);
        List<String> codes = recoveryCodes.generate(name);
        MfaSignInFlow flow = new MfaSignInFlow(base, clientId, secret);

        // The password alone: no code, the recovery-code step (the passkey step is off).
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        assertThat(flow.password(browser, name, PASSWORD, pkce))
                .endsWith("/mfa/recovery")
                .doesNotContain("code=");
        // Never TOTP enrolment with the password alone: that would make the password a second factor of its own.
        HttpBrowser enrolling = new HttpBrowser(base);
        flow.password(enrolling, name, PASSWORD, Pkce.create());
        assertThat(enrolling.get("/mfa/enroll").headers().firstValue("Location").orElseThrow())
                .endsWith("/login");

        // A recovery code pays the second factor.
        String resumed = flow.submit(browser, "/mfa/recovery", codes.get(0));
        assertThat(MfaSignInFlow.amr(flow.tokens(browser, resumed, pkce))).isEqualTo(MfaSignInFlow.pwdOtp());
    }

    @Test
    void discoveryWhenPasskeysOffThenNoPhishingResistantAcr() throws Exception {
        HttpResponse<String> r =
                new HttpBrowser("http://localhost:" + port).getApi("/.well-known/openid-configuration");
        // OIDC Discovery 1.0 §3: only values a sign-in here can reach; nothing meets phr without passkeys.
        assertThat(JSONObjectUtils.parse(r.body()).get("acr_values_supported"))
                .isEqualTo(List.of(MfaPolicy.ACR_PASSWORD, MfaPolicy.ACR_MFA));
    }

    /** A passkey stored while passkeys were on (the rows the passkeys package wrote then). */
    private void storePasskey(String name) {
        byte[] handle = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        jdbc.update(
                "INSERT INTO gh_passkey_user (user_handle, username, display_name) VALUES (?, ?, ?)",
                handle,
                name,
                name);
        jdbc.update(
                "INSERT INTO gh_passkey (credential_id, user_handle, label, credential_type, public_key,"
                        + " signature_count, uv_initialized, backup_eligible, backup_state, transports, created_at)"
                        + " VALUES (?, ?, 'laptop', 'public-key', ?, 0, TRUE, FALSE, FALSE, '', ?)",
                UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8),
                handle,
                new byte[] {1, 2, 3},
                Timestamp.from(clock.instant()));
    }

    private String registerClient(String secret) {
        String id = "pk-off-" + UUID.randomUUID();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientSecret(clientSecrets.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(MfaSignInFlow.REDIRECT)
                .scope("openid")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .build())
                .build());
        return id;
    }
}
