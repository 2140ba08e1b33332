package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.throttle.AttemptCounter;
import dev.gatehouse.server.audit.AuditChain;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditProperties;
import dev.gatehouse.server.audit.CorrelationIdFilter;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.secrets.ServerSecrets;
import dev.gatehouse.server.users.JdbcAttemptStore;
import dev.gatehouse.server.users.JdbcUserStore;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit trail and observability end to end over real HTTP: events from the sign-in form, MFA pages, token and
 * revocation endpoints land in the hash-chained table with the request's correlation id; no secret appears in a
 * stored row or in the log (which is JSON here: {@code logging.structured.format.console=ecs}); the chain verifies,
 * reports a tampered row, and stays linear under concurrent appends from several nodes; Prometheus counters and the
 * key-ring health component are served behind the actuator chain. Subclasses choose the database.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=false",
            "logging.structured.format.console=ecs"
        })
@ExtendWith(OutputCaptureExtension.class)
@Import(AbstractSignInLockoutTests.TestClock.class)
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
abstract class AbstractAuditTests {

    static final String PASSWORD = "audit password 4 test";
    static final String REDIRECT = "http://127.0.0.1:8084/cb";
    static final Duration FLUSH = Duration.ofSeconds(20);
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());
    private static final String[] LOOPBACK = {"127.0.0.1", "0:0:0:0:0:0:0:1"};

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    JdbcAuditLog auditLog;

    @Autowired
    AuditChain chain;

    @Autowired
    ServerSecrets serverSecrets;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets clientSecrets;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    KeyRing ring;

    @Autowired
    RecoveryCodes recoveryCodes;

    @Autowired
    dev.gatehouse.core.mfa.TotpService totpService;

    @Autowired
    MovableClock clock;

    String base;
    String clientId;
    String clientSecret;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        clientSecret = clientSecrets.generate();
        clientId = "audit-" + UUID.randomUUID();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret(clientSecrets.encoder().encode(clientSecret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("api.read")
                .scope("actuator.read")
                .build());
    }

    // ---------------------------------------------------------------- sign-in and correlation ids

    @Test
    void signInWhenFailedThenSucceededThenEventsCarryTheResponsesCorrelationIds() {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> failed = browser.login(name, "not the password 1");
        HttpResponse<String> succeeded = browser.login(name, PASSWORD);
        assertThat(failed.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        assertThat(succeeded.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
        String failedId =
                failed.headers().firstValue(CorrelationIdFilter.HEADER).orElseThrow();
        String succeededId =
                succeeded.headers().firstValue(CorrelationIdFilter.HEADER).orElseThrow();
        assertThat(failedId).isNotEqualTo(succeededId);
        flush();

        Map<String, Object> failure = onlyRow(failedId);
        assertThat(failure.get("type")).isEqualTo("signin.failure");
        assertThat(failure.get("outcome")).isEqualTo(AuditEvent.FAILURE);
        assertThat(failure.get("actor")).isEqualTo(name);
        assertThat(details(failure)).containsEntry("reason", "bad_credentials").containsKey("address");

        Map<String, Object> success = onlyRow(succeededId);
        assertThat(success.get("type")).isEqualTo("signin.success");
        assertThat(success.get("actor")).isEqualTo(name);
        assertThat(details(success)).containsEntry("factor", "password");
    }

    @Test
    void signInWhenUnknownUserThenFailureRecordsOnlyTheNameTried() {
        String name = "nobody-" + UUID.randomUUID();
        HttpResponse<String> r = new HttpBrowser(base).login(name, "unknown user password 1");
        flush();
        Map<String, Object> row = onlyRow(header(r));
        assertThat(row.get("type")).isEqualTo("signin.failure");
        assertThat(row.get("actor")).isEqualTo(name);
        assertThat(details(row)).containsOnlyKeys("address", "reason");
    }

    @Test
    void correlationIdWhenWellFormedThenAcceptedOtherwiseReplaced() {
        HttpBrowser browser = new HttpBrowser(base);
        String mine = "trace-" + UUID.randomUUID();
        HttpResponse<String> accepted = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "api.read"),
                "Authorization",
                HttpBrowser.basic(clientId, clientSecret),
                CorrelationIdFilter.HEADER,
                mine);
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(header(accepted)).isEqualTo(mine);
        for (String bad : List.of("has space", "x".repeat(65), "semi;colon", "\"quoted\"")) {
            HttpResponse<String> replaced = getWithHeader("/login", CorrelationIdFilter.HEADER, bad);
            assertThat(header(replaced)).isNotEqualTo(bad).matches("[0-9a-f-]{36}");
        }
        flush();
        assertThat(onlyRow(mine).get("type")).isEqualTo("token.issue");
    }

    @Test
    void signInWhenPairLockedOutThenSigninLocked() {
        String name = newUser();
        lockOut("password", name);
        HttpResponse<String> r = new HttpBrowser(base).login(name, PASSWORD);
        assertThat(r.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        flush();
        Map<String, Object> row = onlyRow(header(r));
        assertThat(row.get("type")).isEqualTo("signin.locked");
        assertThat(row.get("outcome")).isEqualTo(AuditEvent.DENIED);
        assertThat(details(row)).containsEntry("reason", "locked_out").containsKey("retry_after_s");
    }

    // ---------------------------------------------------------------- MFA

    @Test
    void mfaWhenWrongCodeThenRightCodeThenRecoveryCodeThenLockedAllRecorded() throws Exception {
        String name = newUser();
        TotpSecret secret = enrolTotp(name);
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(name, PASSWORD);
        HttpResponse<String> page = browser.get("/mfa/totp");
        HttpResponse<String> wrong = browser.postForm("/mfa/totp", Map.of("code", "000000", "_csrf", csrf(page)));
        page = browser.get("/mfa/totp");
        String code = TOTP.code(secret, clock.instant().plus(Duration.ofSeconds(30)));
        HttpResponse<String> right = browser.postForm("/mfa/totp", Map.of("code", code, "_csrf", csrf(page)));
        assertThat(right.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));

        List<String> codes = recoveryCodes.generate(name);
        HttpBrowser second = new HttpBrowser(base);
        second.login(name, PASSWORD);
        page = second.get("/mfa/recovery");
        HttpResponse<String> recovered =
                second.postForm("/mfa/recovery", Map.of("code", codes.get(0), "_csrf", csrf(page)));

        lockOut("mfa", name);
        HttpBrowser third = new HttpBrowser(base);
        third.login(name, PASSWORD);
        page = third.get("/mfa/totp");
        HttpResponse<String> locked = third.postForm("/mfa/totp", Map.of("code", "123456", "_csrf", csrf(page)));
        flush();

        Map<String, Object> failure = onlyRow(header(wrong));
        assertThat(failure.get("type")).isEqualTo("mfa.verify");
        assertThat(failure.get("outcome")).isEqualTo(AuditEvent.FAILURE);
        assertThat(details(failure)).containsEntry("factor", "totp").containsEntry("reason", "invalid_code");
        Map<String, Object> success = onlyRow(header(right));
        assertThat(success.get("type")).isEqualTo("mfa.verify");
        assertThat(success.get("outcome")).isEqualTo(AuditEvent.SUCCESS);
        Map<String, Object> recovery = onlyRow(header(recovered));
        assertThat(recovery.get("type")).isEqualTo("mfa.recovery");
        assertThat(details(recovery))
                .containsEntry("factor", "recovery_code")
                .containsEntry("recovery_codes_left", "9");
        Map<String, Object> lockout = onlyRow(header(locked));
        assertThat(lockout.get("type")).isEqualTo("mfa.locked");
        assertThat(details(lockout)).containsEntry("action", "verify").containsEntry("reason", "locked_out");
        assertNoSecrets(List.of(code, codes.get(0), codes.get(0).replace("-", ""), secret.base32()), null);
    }

    // ---------------------------------------------------------------- tokens

    @Test
    void tokenWhenIssuedAndRevokedThenEventsNameClientGrantAndJti() throws Exception {
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> issued = clientCredentials(browser, "api.read");
        String accessToken = (String) JSONObjectUtils.parse(issued.body()).get("access_token");
        String jti = SignedJWT.parse(accessToken).getJWTClaimsSet().getJWTID();
        HttpResponse<String> revoked = browser.postForm(
                "/oauth2/revoke",
                Map.of("token", accessToken, "token_type_hint", "access_token"),
                "Authorization",
                HttpBrowser.basic(clientId, clientSecret));
        assertThat(revoked.statusCode()).isEqualTo(200);
        HttpResponse<String> wrongSecret = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials"),
                "Authorization",
                HttpBrowser.basic(clientId, "wrong-" + clientSecret));
        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        flush();

        Map<String, Object> issue = onlyRow(header(issued));
        assertThat(issue.get("type")).isEqualTo("token.issue");
        assertThat(issue.get("actor")).isEqualTo(clientId);
        assertThat(issue.get("subject")).isEqualTo(clientId);
        assertThat(details(issue))
                .containsEntry("client_id", clientId)
                .containsEntry("grant_type", "client_credentials")
                .containsEntry("scope", "api.read")
                .containsEntry("jti", jti)
                .containsEntry("refresh_token", "none");
        Map<String, Object> revoke = onlyRow(header(revoked));
        assertThat(revoke.get("type")).isEqualTo("token.revoke");
        assertThat(details(revoke))
                .containsEntry("client_id", clientId)
                .containsEntry("known", "true")
                .containsEntry("token_type", "access_token")
                .containsEntry("reason", "client_request")
                .containsEntry("jti", jti);
        Map<String, Object> refused = onlyRow(header(wrongSecret));
        assertThat(refused.get("type")).isEqualTo("client.auth.failure");
        assertThat(refused.get("actor")).isEqualTo(clientId);
        assertThat(details(refused)).containsEntry("error", "invalid_client");
        assertNoSecrets(
                List.of(clientSecret, accessToken, accessToken.substring(accessToken.lastIndexOf('.') + 1)), null);
    }

    @Test
    void refreshWhenRotatedThenReusedThenRefreshAndFamilyRevocationRecorded() throws Exception {
        String name = newUser();
        String webClient = "audit-web-" + UUID.randomUUID();
        String webSecret = clientSecrets.generate();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(webClient)
                .clientSecret(clientSecrets.encoder().encode(webSecret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUri(REDIRECT)
                .scope("openid")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .build())
                .build());
        HttpBrowser browser = new HttpBrowser(base);
        AbstractAuthorizationServerTests.Pkce pkce = AbstractAuthorizationServerTests.Pkce.create();
        String state = UUID.randomUUID().toString();
        String authorize = base + "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of(
                        "response_type",
                        "code",
                        "client_id",
                        webClient,
                        "redirect_uri",
                        REDIRECT,
                        "scope",
                        "openid",
                        "state",
                        state,
                        "code_challenge",
                        pkce.challenge(),
                        "code_challenge_method",
                        "S256"));
        browser.get(authorize);
        String next =
                browser.login(name, PASSWORD).headers().firstValue("Location").orElseThrow();
        String code = HttpBrowser.query(
                        browser.get(next).headers().firstValue("Location").orElseThrow())
                .get("code");
        assertThat(code).isNotNull();
        HttpResponse<String> exchanged = browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        code,
                        "redirect_uri",
                        REDIRECT,
                        "code_verifier",
                        pkce.verifier()),
                "Authorization",
                HttpBrowser.basic(webClient, webSecret));
        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
        Map<String, Object> first = JSONObjectUtils.parse(exchanged.body());
        String rt1 = (String) first.get("refresh_token");
        HttpResponse<String> refreshed = refresh(browser, webClient, webSecret, rt1);
        assertThat(refreshed.statusCode()).isEqualTo(200);
        String rt2 = (String) JSONObjectUtils.parse(refreshed.body()).get("refresh_token");
        HttpResponse<String> reused = refresh(browser, webClient, webSecret, rt1);
        assertThat(reused.statusCode()).isEqualTo(400);
        flush();

        Map<String, Object> issue = onlyRow(header(exchanged));
        assertThat(issue.get("type")).isEqualTo("token.issue");
        assertThat(issue.get("subject")).isEqualTo(name);
        assertThat(details(issue))
                .containsEntry("grant_type", "authorization_code")
                .containsEntry("refresh_token", "issued")
                .containsEntry("id_token", "issued")
                .containsKey("jti");
        Map<String, Object> refresh = onlyRow(header(refreshed));
        assertThat(refresh.get("type")).isEqualTo("token.refresh");
        assertThat(details(refresh)).containsEntry("grant_type", "refresh_token");
        List<Map<String, Object>> reuse = rows(header(reused));
        assertThat(reuse).extracting(r -> r.get("type")).containsExactlyInAnyOrder("token.revoke", "token.failure");
        Map<String, Object> revoke = reuse.stream()
                .filter(r -> "token.revoke".equals(r.get("type")))
                .findFirst()
                .orElseThrow();
        assertThat(revoke.get("subject")).isEqualTo(name);
        assertThat(details(revoke))
                .containsEntry("reason", "refresh_token_reuse")
                .containsEntry("authorization_id", details(issue).get("authorization_id"));
        String idToken = (String) first.get("id_token");
        assertNoSecrets(
                List.of(
                        code,
                        webSecret,
                        pkce.verifier(),
                        rt1,
                        rt2,
                        (String) first.get("access_token"),
                        idToken.substring(idToken.lastIndexOf('.') + 1)),
                null);
    }

    @Test
    void codeWhenReplayedThenAuditedAsCodeReplayNotClientAuthFailure() throws Exception {
        String name = newUser();
        String webClient = "audit-replay-" + UUID.randomUUID();
        String webSecret = clientSecrets.generate();
        String spa = "audit-replay-spa-" + UUID.randomUUID();
        clients.save(codeClient(webClient, ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientSecret(clientSecrets.encoder().encode(webSecret))
                .build());
        clients.save(codeClient(spa, ClientAuthenticationMethod.NONE).build());
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.login(name, PASSWORD).statusCode()).isEqualTo(302);
        for (String client : List.of(webClient, spa)) {
            String[] auth = client.equals(spa)
                    ? new String[] {"Accept", "application/json"}
                    : new String[] {"Authorization", HttpBrowser.basic(webClient, webSecret)};
            AbstractAuthorizationServerTests.Pkce pkce = AbstractAuthorizationServerTests.Pkce.create();
            String code = code(browser, client, pkce);
            Map<String, String> form = Map.of(
                    "grant_type", "authorization_code",
                    "code", code,
                    "redirect_uri", REDIRECT,
                    "code_verifier", pkce.verifier(),
                    "client_id", client);
            HttpResponse<String> first = browser.postForm("/oauth2/token", form, auth);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            HttpResponse<String> replay = browser.postForm("/oauth2/token", form, auth);
            assertThat(replay.statusCode()).isEqualTo(400);
            assertThat(replay.body()).contains("invalid_grant");
            HttpResponse<String> again = browser.postForm("/oauth2/token", form, auth);
            assertThat(again.statusCode()).isEqualTo(400);
            flush();

            for (HttpResponse<String> refused : List.of(replay, again)) {
                List<Map<String, Object>> rows = rows(header(refused));
                assertThat(rows)
                        .as(client)
                        .extracting(r -> r.get("type"))
                        .contains("token.code_replay")
                        .doesNotContain("client.auth.failure", "token.failure");
                Map<String, Object> row = rows.stream()
                        .filter(r -> "token.code_replay".equals(r.get("type")))
                        .findFirst()
                        .orElseThrow();
                assertThat(row.get("outcome")).isEqualTo("denied");
                assertThat(row.get("actor")).isEqualTo(client);
                assertThat(details(row))
                        .containsEntry("client_id", client)
                        .containsEntry("grant_type", "authorization_code")
                        .containsEntry("error", "invalid_grant");
            }
            assertNoSecrets(List.of(code, webSecret, pkce.verifier()), null);
        }
    }

    RegisteredClient.Builder codeClient(String id, ClientAuthenticationMethod method) {
        return RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientAuthenticationMethod(method)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(REDIRECT)
                .scope("openid")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .build());
    }

    String code(HttpBrowser browser, String client, AbstractAuthorizationServerTests.Pkce pkce) {
        String authorize = base + "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of(
                        "response_type",
                        "code",
                        "client_id",
                        client,
                        "redirect_uri",
                        REDIRECT,
                        "scope",
                        "openid",
                        "state",
                        UUID.randomUUID().toString(),
                        "code_challenge",
                        pkce.challenge(),
                        "code_challenge_method",
                        "S256"));
        String location =
                browser.get(authorize).headers().firstValue("Location").orElseThrow();
        String code = HttpBrowser.query(location).get("code");
        assertThat(code).as(location).isNotNull();
        return code;
    }

    @Test
    void purgeWhenRowsOlderThanCutoffThenDeletedAndChainVerifiesFromAnchor() throws Exception {
        auditLog.record(new AuditEvent("test.purge.old", AuditEvent.SUCCESS, null, null, Map.of()));
        flush();
        // Events are stamped by the server's clock: move it, rather than wait, to put the cutoff between them.
        clock.advance(Duration.ofSeconds(1));
        Instant cutoff = clock.instant();
        clock.advance(Duration.ofSeconds(1));
        auditLog.record(new AuditEvent("test.purge.new", AuditEvent.SUCCESS, null, null, Map.of()));
        flush();
        AuditChain.Purge purge = chain.purgeBefore(cutoff);
        assertThat(purge.deleted()).isPositive();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_audit_event WHERE type = 'test.purge.old'", Integer.class))
                .isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_audit_event WHERE type = 'test.purge.new'", Integer.class))
                .isOne();
        AuditChain.Verification v = chain.verify();
        assertThat(v.intact()).as(v.toString()).isTrue();
        tx.executeWithoutResult(s -> {
            // A moved anchor no longer fits the first kept row.
            jdbc.update("UPDATE gh_audit_chain SET anchor_hash = ? WHERE id = 1", "0".repeat(64));
            AuditChain.Verification broken = chain.verify();
            assertThat(broken.firstBrokenId()).isEqualTo(purge.anchorId() + 1);
            assertThat(broken.reason()).isEqualTo(AuditChain.Break.LINK_BROKEN);
            s.setRollbackOnly();
        });
    }

    // ---------------------------------------------------------------- no secrets, structured log

    @Test
    void eventsWhenStoredAndLoggedThenNoSecretAndLogIsStructured(CapturedOutput output) throws Exception {
        String name = newUser();
        String wrongPassword = "wrong-" + UUID.randomUUID();
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> failed = browser.login(name, wrongPassword);
        browser.login(name, PASSWORD);
        HttpResponse<String> issued = clientCredentials(browser, "api.read");
        String accessToken = (String) JSONObjectUtils.parse(issued.body()).get("access_token");
        browser.postForm(
                "/oauth2/revoke",
                Map.of("token", accessToken),
                "Authorization",
                HttpBrowser.basic(clientId, clientSecret));
        flush();

        assertNoSecrets(
                List.of(
                        PASSWORD,
                        wrongPassword,
                        clientSecret,
                        accessToken,
                        accessToken.split("\\.")[2]),
                output);

        // ECS JSON: the audit line's fields are JSON fields, with the request's correlation id.
        String id = header(failed);
        Map<String, Object> line = null;
        for (String l : output.getOut().split("\\R")) {
            if (l.startsWith("{") && l.contains("gatehouse.audit") && l.contains(id)) {
                line = JSONObjectUtils.parse(l);
            }
        }
        assertThat(line).as(output.getOut()).isNotNull();
        assertThat(line.get("audit_type")).isEqualTo("signin.failure");
        assertThat(line.get("audit_outcome")).isEqualTo("failure");
        assertThat(line.get("audit_actor")).isEqualTo(name);
        assertThat(line.get(CorrelationIdFilter.MDC_KEY)).isEqualTo(id);
        assertThat(line.get("audit_details")).isInstanceOf(Map.class);
    }

    // ---------------------------------------------------------------- the hash chain

    @Test
    void verifyWhenUntouchedThenIntactAndWhenOneRowChangedThenReportsExactlyThatRow() {
        for (int i = 0; i < 5; i++) {
            auditLog.record(new AuditEvent("test.tamper", AuditEvent.SUCCESS, "tester", null, Map.of("i", "" + i)));
        }
        flush();
        assertThat(chain.verify().intact()).as(chain.verify().toString()).isTrue();
        long id = jdbc.queryForObject(
                "SELECT MAX(id) FROM gh_audit_event WHERE type = 'test.tamper' AND details = ?",
                Long.class,
                "{\"i\":\"2\"}");
        tx.executeWithoutResult(s -> {
            jdbc.update("UPDATE gh_audit_event SET details = ? WHERE id = ?", "{\"i\":\"7\"}", id);
            AuditChain.Verification v = chain.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenId()).isEqualTo(id);
            assertThat(v.reason()).isEqualTo(AuditChain.Break.ROW_ALTERED);
            s.setRollbackOnly();
        });
        tx.executeWithoutResult(s -> {
            jdbc.update("DELETE FROM gh_audit_event WHERE id = ?", id);
            AuditChain.Verification v = chain.verify();
            assertThat(v.firstBrokenId()).isEqualTo(id + 1);
            assertThat(v.reason()).isEqualTo(AuditChain.Break.ROWS_MISSING);
            s.setRollbackOnly();
        });
        assertThat(chain.verify().intact()).isTrue();
    }

    @Test
    void appendWhenSeveralNodesAndThreadsAtOnceThenOneLinearChain() throws Exception {
        // Three more "nodes": their own chain objects and writers on the same database and key.
        byte[] key = serverSecrets.getOrCreate("audit-chain-hmac-sha256", 32);
        AuditProperties small = new AuditProperties(10_000, 7, Duration.ofDays(1), Duration.ofHours(1), FLUSH);
        List<JdbcAuditLog> nodes = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            nodes.add(JdbcAuditLog.builder()
                    .chain(new AuditChain(jdbc, tx, key))
                    .properties(small)
                    .build());
        }
        nodes.add(auditLog);
        String run = UUID.randomUUID().toString();
        int threads = 6;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            all.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    nodes.get((thread + i) % nodes.size())
                            .record(new AuditEvent(
                                    "test.concurrent", AuditEvent.SUCCESS, "t" + thread, null, Map.of("run", run)));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
        for (JdbcAuditLog node : nodes) {
            assertThat(node.flush(FLUSH)).isTrue();
        }
        for (int n = 0; n < 3; n++) {
            nodes.get(n).close();
        }
        Integer stored = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_audit_event WHERE type = 'test.concurrent' AND details = ?",
                Integer.class,
                "{\"run\":\"" + run + "\"}");
        assertThat(stored).isEqualTo(threads * each);
        AuditChain.Verification v = chain.verify();
        assertThat(v.intact()).as(v.toString()).isTrue();
        Long rows = jdbc.queryForObject("SELECT COUNT(*) FROM gh_audit_event", Long.class);
        assertThat(v.rowsChecked()).isEqualTo(rows);
    }

    // ---------------------------------------------------------------- actuator

    @Test
    void prometheusWhenSignInAndTokenIssuedThenCountersShownOnlyWithScope() throws Exception {
        String name = newUser();
        new HttpBrowser(base).login(name, PASSWORD);
        HttpBrowser api = new HttpBrowser(base);
        String monitorToken = (String)
                JSONObjectUtils.parse(clientCredentials(api, "actuator.read").body())
                        .get("access_token");
        String apiToken = (String)
                JSONObjectUtils.parse(clientCredentials(api, "api.read").body()).get("access_token");
        flush();

        assertThat(api.getApi("/actuator/prometheus").statusCode()).isEqualTo(401);
        assertThat(api.getWithBearer("/actuator/prometheus", apiToken).statusCode())
                .isEqualTo(403);
        HttpResponse<String> metrics = api.getWithBearer("/actuator/prometheus", monitorToken);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("gatehouse_signin_total\\{[^}]*outcome=\"success\"[^}]*} [1-9]")
                .containsPattern("gatehouse_tokens_total\\{[^}]*grant_type=\"client_credentials\"[^}]*} [1-9]")
                .contains("gatehouse_audit_queue_size")
                .contains("gatehouse_audit_overflow_total")
                .doesNotContain(name);

        // Revoked (RFC 7009): refused at once here, though its signature and lifetime are still good.
        assertThat(api.postForm(
                                "/oauth2/revoke",
                                Map.of("token", monitorToken, "token_type_hint", "access_token"),
                                "Authorization",
                                HttpBrowser.basic(clientId, clientSecret))
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> revoked = api.getWithBearer("/actuator/prometheus", monitorToken);
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(revoked.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("invalid_token");
    }

    @Test
    void healthWhenAnonymousThenStatusOnlyAndWithScopeThenKeyRingComponent() throws Exception {
        HttpBrowser api = new HttpBrowser(base);
        HttpResponse<String> anonymous = api.getApi("/actuator/health");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        Map<String, Object> status = JSONObjectUtils.parse(anonymous.body());
        assertThat(status).containsEntry("status", "UP").doesNotContainKey("components");
        assertThat(api.getApi("/actuator/health/keyRing").statusCode()).isEqualTo(401);

        String token = (String)
                JSONObjectUtils.parse(clientCredentials(api, "actuator.read").body())
                        .get("access_token");
        HttpResponse<String> detailed = api.getWithBearer("/actuator/health", token);
        Map<String, Object> health = JSONObjectUtils.parse(detailed.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> components = (Map<String, Object>) health.get("components");
        assertThat(components).as(detailed.body()).containsKeys("keyRing", "db");
        @SuppressWarnings("unchecked")
        Map<String, Object> keyRing = (Map<String, Object>) components.get("keyRing");
        assertThat(keyRing.get("status")).isEqualTo("UP");
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) keyRing.get("details");
        assertThat(details.get("activeKid")).isEqualTo(ring.activeKey().kid());
        assertThat(details).containsKeys("activeAgeSeconds", "algorithm", "publishedKeys");
        assertThat(detailed.body()).doesNotContain("\"d\"").doesNotContain("sealed");
    }

    // ---------------------------------------------------------------- helpers

    void flush() {
        assertThat(auditLog.flush(FLUSH)).as("audit events stored in time").isTrue();
    }

    String newUser() {
        String name = "audit-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        return name;
    }

    TotpSecret enrolTotp(String name) {
        var enrolment = totpService.enrol(name, name);
        TotpSecret secret = TotpSecret.fromBase32(enrolment.secretBase32());
        String code = TOTP.code(secret, clock.instant());
        assertThat(totpService.confirm(name, code).accepted()).isTrue();
        return secret;
    }

    /** Locks the account + address pair of {@code scope} out, as ten failures would, for both loopback forms. */
    void lockOut(String scope, String name) {
        JdbcAttemptStore store = new JdbcAttemptStore(jdbc);
        Instant now = clock.instant();
        String account = name.toLowerCase(java.util.Locale.ROOT);
        for (String address : LOOPBACK) {
            store.update(
                    scope + "|p|" + account.length() + ":" + account + "|" + address,
                    now,
                    c -> new AttemptCounter(10, now.plus(Duration.ofMinutes(15)), now.plus(Duration.ofHours(1))));
        }
    }

    HttpResponse<String> clientCredentials(HttpBrowser browser, String scope) {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", scope),
                "Authorization",
                HttpBrowser.basic(clientId, clientSecret));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    HttpResponse<String> getWithHeader(String path, String name, String value) {
        try {
            return java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                                    .header(name, value)
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> refresh(HttpBrowser browser, String client, String secret, String refreshToken) {
        return browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "refresh_token", "refresh_token", refreshToken),
                "Authorization",
                HttpBrowser.basic(client, secret));
    }

    List<Map<String, Object>> rows(String correlationId) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> row :
                jdbc.queryForList("SELECT * FROM gh_audit_event WHERE correlation_id = ?", correlationId)) {
            Map<String, Object> lower = new java.util.HashMap<>();
            row.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
            out.add(lower);
        }
        return out;
    }

    static String header(HttpResponse<String> r) {
        return r.headers().firstValue(CorrelationIdFilter.HEADER).orElseThrow();
    }

    Map<String, Object> onlyRow(String correlationId) {
        List<Map<String, Object>> rows = rows(correlationId);
        assertThat(rows).as("events of request " + correlationId).hasSize(1);
        return rows.get(0);
    }

    static Map<String, Object> details(Map<String, Object> row) {
        try {
            return JSONObjectUtils.parse((String) row.get("details"));
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    /** No stored row (any column) and no captured log line contains any of the secrets. */
    void assertNoSecrets(List<String> secrets, CapturedOutput output) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM gh_audit_event");
        assertThat(rows).isNotEmpty();
        StringBuilder everything = new StringBuilder();
        for (Map<String, Object> row : rows) {
            row.values().forEach(v -> everything.append(v).append('\n'));
        }
        for (String secret : secrets) {
            assertThat(everything.toString()).as("stored events").doesNotContain(secret);
            if (output != null) {
                assertThat(output.getAll()).as("log output").doesNotContain(secret);
            }
        }
    }

    static String csrf(HttpResponse<String> page) {
        Matcher m = CSRF.matcher(page.body());
        assertThat(m.find()).as(page.body()).isTrue();
        return m.group(1);
    }
}
