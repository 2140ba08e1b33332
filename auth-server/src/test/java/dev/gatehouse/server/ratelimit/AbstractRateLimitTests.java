package dev.gatehouse.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.GatehouseServer;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * Rate limits end to end: the server on a random port, requests over real sockets from several loopback addresses
 * (127.0.0.x), tiny limits, and a clock the tests move forward. Subclasses choose the database.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=true",
            "gatehouse.server.rate-limit.token-per-address=6/1m",
            "gatehouse.server.rate-limit.token-per-client=4/1m",
            "gatehouse.server.rate-limit.authorization-per-address=3/1m",
            "gatehouse.server.rate-limit.device-authorization-per-address=2/1m",
            "gatehouse.server.rate-limit.login-per-address=3/1m",
            "gatehouse.server.rate-limit.mfa-per-address=3/1m",
            "gatehouse.server.rate-limit.device-verification-per-address=2/1m",
            "gatehouse.server.rate-limit.introspection-per-address=2/1m",
            "gatehouse.server.rate-limit.admin-per-address=2/1m"
        })
@Import(AbstractRateLimitTests.TestBeans.class)
abstract class AbstractRateLimitTests {

    static final String SERVICE = "gatehouse-demo-service";
    static final String SPA = "gatehouse-demo-spa";
    static final String TOO_MANY =
            "{\"error\":\"temporarily_unavailable\",\"error_description\":\"Too many requests; retry later.\"}";
    static final String AUTHORIZE = "/oauth2/authorize?response_type=code&client_id=" + SPA
            + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fcallback&scope=openid"
            + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";

    @TestConfiguration(proxyBeanMethods = false)
    static class TestBeans {
        @Bean
        @Primary
        MovableTimeMeter movableTimeMeter() {
            return new MovableTimeMeter();
        }

        @Bean
        @Primary
        RecordingAuditLog recordingAuditLog() {
            return new RecordingAuditLog();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    MovableTimeMeter time;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    RecordingAuditLog audit;

    @Autowired
    AuditLog auditLog;

    String serviceSecret;

    abstract Path dataDir();

    @BeforeEach
    void setUp() throws IOException {
        // Every bucket is full again: tests share the demo client's bucket.
        time.advance(Duration.ofHours(1));
        for (String line : Files.readAllLines(dataDir().resolve("demo-credentials.txt"), StandardCharsets.UTF_8)) {
            if (line.contains(SERVICE + " secret:")) {
                String[] words = line.strip().split(" ");
                serviceSecret = words[words.length - 1];
            }
        }
        assertThat(serviceSecret).isNotBlank();
        assertThat(auditLog).isSameAs(audit);
    }

    // ---------------------------------------------------------------- token endpoint, per address

    @Test
    void tokenWhenAddressOverLimitThen429WithRetryAfterNoStoreAndJsonBody() {
        String from = "127.0.0.2";
        assertThat(serviceToken(from).status()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(token(from, "rl-address-" + i).status()).isEqualTo(401);
        }
        RawHttp.Response refused = serviceToken(from);
        assertThat(refused.status()).isEqualTo(429);
        // 6 per minute: one token back every 10 s (RFC 9110 §10.2.3 delay-seconds, rounded up).
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 10L);
        assertThat(refused.header("Cache-Control")).isEqualTo("no-store");
        assertThat(refused.header("Content-Type")).startsWith("application/json");
        assertThat(refused.body()).isEqualTo(TOO_MANY).doesNotContain(SERVICE);

        // Another address is not affected.
        assertThat(serviceToken("127.0.0.3").status()).isEqualTo(200);
    }

    @Test
    void tokenWhenPathPercentEncodedThenCountedAsToken() {
        String from = "127.0.0.14";
        for (int i = 0; i < 6; i++) {
            RawHttp.Response r = RawHttp.send(
                    from,
                    port,
                    "POST",
                    "/oauth2/%74oken",
                    "grant_type=client_credentials",
                    "Authorization",
                    basic("rl-encoded-" + i, "wrong-secret"));
            assertThat(r.status()).isEqualTo(401);
        }
        assertThat(serviceToken(from).status()).isEqualTo(429);
    }

    // ---------------------------------------------------------------- token endpoint, per client

    @Test
    void tokenWhenClientOverLimitThen429AndOtherClientFromSameAddressServed() {
        register("rl-client-b");
        String from = "127.0.0.4";
        for (int i = 0; i < 4; i++) {
            assertThat(token(from, "rl-client-b").status()).isEqualTo(401);
        }
        assertThat(token(from, "rl-client-b").status()).isEqualTo(429);
        // Five of the address's six tokens are spent; a different client id is still within both limits.
        assertThat(serviceToken(from).status()).isEqualTo(200);
        assertThat(audit.events())
                .filteredOn(e -> "client".equals(e.details().get("limit_key"))
                        && "rl-client-b".equals(e.details().get("claimed_client_id")))
                .hasSize(1);
    }

    @Test
    void tokenWhenClientOverLimitThenRefusedFromEveryAddress() {
        register("rl-client-c");
        for (String from : List.of("127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8")) {
            assertThat(token(from, "rl-client-c").status()).isEqualTo(401);
        }
        RawHttp.Response refused = token("127.0.0.9", "rl-client-c");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body()).isEqualTo(TOO_MANY);
        assertThat(serviceToken("127.0.0.9").status()).isEqualTo(200);
    }

    @Test
    void tokenWhenClientIdInBodyThenLimitedPerClient() {
        register("rl-client-body");
        String body = "grant_type=client_credentials&client_id=rl-client-body&client_secret=wrong";
        for (int i = 0; i < 4; i++) {
            assertThat(post("127.0.0.20", "/oauth2/token", body).status()).isEqualTo(401);
        }
        assertThat(post("127.0.0.21", "/oauth2/token", body).status()).isEqualTo(429);
    }

    @Test
    void tokenWhenBasicHeaderMalformedThenLimitedByAddressOnly() {
        String from = "127.0.0.16";
        // The client_id parameter must not be used when the Basic header is malformed: five requests would spend
        // the per-client bucket (4) of rl-client-m.
        for (int i = 0; i < 6; i++) {
            RawHttp.Response r = RawHttp.send(
                    from,
                    port,
                    "POST",
                    "/oauth2/token",
                    "grant_type=client_credentials&client_id=rl-client-m",
                    "Authorization",
                    "Basic %%%not-base64");
            assertThat(r.status()).isBetween(400, 401);
        }
        RawHttp.Response refused = RawHttp.send(
                from, port, "POST", "/oauth2/token", "grant_type=client_credentials", "Authorization", "Basic !!");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(audit.events())
                .filteredOn(e -> from.equals(e.details().get("address")))
                .singleElement()
                .satisfies(e -> assertThat(e.details()).containsEntry("limit_key", "address"));
    }

    // ---------------------------------------------------------------- refill, audit

    @Test
    void tokenWhenRetryAfterHasPassedThenServedAgain() {
        String from = "127.0.0.10";
        for (int i = 0; i < 6; i++) {
            token(from, "rl-refill-" + i);
        }
        RawHttp.Response refused = serviceToken(from);
        assertThat(refused.status()).isEqualTo(429);
        time.advance(Duration.ofSeconds(Long.parseLong(refused.header("Retry-After"))));
        assertThat(serviceToken(from).status()).isEqualTo(200);
        // One token came back, not the whole bucket.
        assertThat(serviceToken(from).status()).isEqualTo(429);
    }

    @Test
    void limitedWhenRepeatedThenOneAuditEventPerBucketAndPeriod() {
        String from = "127.0.0.15";
        for (int i = 0; i < 6; i++) {
            token(from, "rl-audit-" + i);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(serviceToken(from).status()).isEqualTo(429);
        }
        List<AuditEvent> events = audit.events().stream()
                .filter(e -> from.equals(e.details().get("address")))
                .filter(e -> e.type().startsWith("ratelimit."))
                .toList();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("ratelimit.exceeded");
            assertThat(e.outcome()).isEqualTo(AuditEvent.DENIED);
            assertThat(e.details())
                    .containsEntry("endpoint", "/oauth2/token")
                    .containsEntry("limit_key", "address")
                    .doesNotContainKey("claimed_client_id");
            assertThat(e.toString()).doesNotContain(serviceSecret);
        });

        time.advance(Duration.ofMinutes(1).plusSeconds(1));
        for (int i = 0; i < 7; i++) {
            token(from, "rl-audit-again-" + i);
        }
        assertThat(audit.events())
                .filteredOn(e -> from.equals(e.details().get("address")))
                .filteredOn(e -> e.type().startsWith("ratelimit."))
                .hasSize(2);
    }

    // ---------------------------------------------------------------- other endpoints

    @Test
    void authorizeWhenAddressOverLimitThen429AndNoRedirect() {
        String from = "127.0.0.11";
        for (int i = 0; i < 3; i++) {
            assertThat(authorize(from).status()).isEqualTo(302);
        }
        RawHttp.Response refused = authorize(from);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Location")).isNull();
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(refused.body()).isEqualTo(TOO_MANY);
    }

    @Test
    void parWhenAuthorizationBucketSpentThen429() {
        String from = "127.0.0.12";
        String par = "response_type=code&client_id=" + SERVICE
                + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8081%2Flogin%2Foauth2%2Fcode%2Fgatehouse"
                + "&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                + "&code_challenge_method=S256";
        assertThat(authorize(from).status()).isEqualTo(302);
        assertThat(authorize(from).status()).isEqualTo(302);
        assertThat(post(from, "/oauth2/par", par, SERVICE).status()).isEqualTo(201);
        assertThat(post(from, "/oauth2/par", par, SERVICE).status()).isEqualTo(429);
    }

    @Test
    void deviceAuthorizationWhenAddressOverLimitThen429() {
        String from = "127.0.0.13";
        for (int i = 0; i < 2; i++) {
            assertThat(post(from, "/oauth2/device_authorization", "scope=api.read", SERVICE)
                            .status())
                    .isEqualTo(200);
        }
        assertThat(post(from, "/oauth2/device_authorization", "scope=api.read", SERVICE)
                        .status())
                .isEqualTo(429);
    }

    @Test
    void loginWhenAddressOverLimitThen429ButPageStillServed() {
        String from = "127.0.0.17";
        for (int i = 0; i < 3; i++) {
            // No CSRF token: refused by Spring Security, but counted first.
            assertThat(post(from, "/login", "username=demo&password=wrong").status())
                    .isNotEqualTo(429);
        }
        assertThat(post(from, "/login", "username=demo&password=wrong").status())
                .isEqualTo(429);
        assertThat(RawHttp.send(from, port, "GET", "/login", "").status()).isEqualTo(200);
    }

    @Test
    void mfaWhenAddressOverLimitThen429BeforeAnyCodeIsCheckedOrAuditedAndPagesStillServed() {
        // One bucket per address for the three second-factor forms (issue #13 item 9). These posts carry no session
        // or CSRF token (Spring Security refuses them), but they are counted first, as a code guess would be.
        String from = "127.0.0.27";
        for (String path : List.of("/mfa/totp", "/mfa/recovery", "/mfa/enroll")) {
            assertThat(post(from, path, "code=123456").status()).as(path).isNotEqualTo(429);
        }
        int before = audit.events().size();
        for (String path : List.of("/mfa/totp", "/mfa/recovery", "/mfa/enroll", "/mfa/enroll/start")) {
            RawHttp.Response refused = post(from, path, "code=123456");
            assertThat(refused.status()).as(path).isEqualTo(429);
            assertThat(refused.body()).isEqualTo(TOO_MANY);
        }
        // One ratelimit.exceeded event for the bucket, nothing else.
        assertThat(audit.events().subList(before, audit.events().size()))
                .extracting(AuditEvent::type)
                .containsExactly("ratelimit.exceeded");
        assertThat(RawHttp.send(from, port, "GET", "/mfa/totp", "").status()).isNotEqualTo(429);
        assertThat(post("127.0.0.28", "/mfa/totp", "code=123456").status()).isNotEqualTo(429);
    }

    @Test
    void deviceVerificationWhenAddressOverLimitThen429BeforeAnyUserCodeIsChecked() {
        // RFC 8628 §5.1: user codes are short, so their entry is rate limited. Counted before Spring Security runs,
        // so even these unauthenticated posts (which it would refuse) spend the address's bucket.
        String from = "127.0.0.19";
        for (int i = 0; i < 2; i++) {
            assertThat(post(from, "/oauth2/device_verification", "user_code=WDJB-MJHT")
                            .status())
                    .isNotEqualTo(429);
        }
        RawHttp.Response refused = post(from, "/oauth2/device_verification", "user_code=WDJB-MJHT");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isNotNull();
        // The page that asks for the code is still served; another address still gets through.
        assertThat(RawHttp.send(from, port, "GET", "/oauth2/device_verification", "")
                        .status())
                .isNotEqualTo(429);
        assertThat(post("127.0.0.20", "/oauth2/device_verification", "user_code=WDJB-MJHT")
                        .status())
                .isNotEqualTo(429);
        // A GET carrying user_code (verification_uri_complete) is a guess too, and spends the same bucket.
        assertThat(RawHttp.send(from, port, "GET", "/oauth2/device_verification?user_code=WDJB-MJHT", "")
                        .status())
                .isEqualTo(429);
        String other = "127.0.0.31";
        for (int i = 0; i < 2; i++) {
            assertThat(RawHttp.send(other, port, "GET", "/oauth2/device_verification?user_code=WDJB-MJHT", "")
                            .status())
                    .isNotEqualTo(429);
        }
        assertThat(post(other, "/oauth2/device_verification", "user_code=WDJB-MJHT")
                        .status())
                .isEqualTo(429);
    }

    @Test
    void adminAndIntrospectionWhenAddressOverLimitThen429BeforeAnyTokenIsCheckedOrAudited() {
        // Every refusal on /admin is audited: without a limit, a stream of bad tokens would grow the audit trail.
        String from = "127.0.0.40";
        for (int i = 0; i < 2; i++) {
            assertThat(RawHttp.send(from, port, "GET", "/admin/users", "").status())
                    .isEqualTo(401);
        }
        int audited = audit.events().size();
        RawHttp.Response refused = RawHttp.send(from, port, "GET", "/admin/users", "");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(RawHttp.send(from, port, "GET", "/admin/clients/x", "").status())
                .isEqualTo(429);
        assertThat(audit.events().stream().skip(audited).map(e -> e.type())).containsOnly("ratelimit.exceeded");
        assertThat(RawHttp.send("127.0.0.42", port, "GET", "/admin/users", "").status())
                .isEqualTo(401);

        String other = "127.0.0.41";
        for (int i = 0; i < 2; i++) {
            assertThat(post(other, "/oauth2/introspect", "token=abc&client_id=" + SERVICE)
                            .status())
                    .isEqualTo(401);
        }
        assertThat(post(other, "/oauth2/revoke", "token=abc&client_id=" + SERVICE)
                        .status())
                .isEqualTo(429);
    }

    @Test
    void otherEndpointsWhenTokenBucketSpentThenNotLimited() {
        String from = "127.0.0.18";
        for (int i = 0; i < 7; i++) {
            token(from, "rl-other-" + i);
        }
        assertThat(RawHttp.send(from, port, "GET", "/oauth2/jwks", "").status()).isEqualTo(200);
        assertThat(RawHttp.send(from, port, "GET", "/.well-known/openid-configuration", "")
                        .status())
                .isEqualTo(200);
    }

    // ---------------------------------------------------------------- helpers

    RawHttp.Response serviceToken(String from) {
        return RawHttp.send(
                from,
                port,
                "POST",
                "/oauth2/token",
                "grant_type=client_credentials&scope=api.read",
                "Authorization",
                basic(SERVICE, serviceSecret));
    }

    /** A client-credentials request for {@code clientId} with a wrong secret (401, but counted). */
    @Test
    void tokenWhenClaimedClientIdNotRegisteredThenNoClientBucketAndAddressLimitOnly() {
        // Invented ids get no bucket: five of them from five addresses are all answered by the endpoint (401),
        // where one registered id would have been refused after four (see above).
        for (String from : List.of("127.0.0.50", "127.0.0.51", "127.0.0.52", "127.0.0.53", "127.0.0.54")) {
            assertThat(token(from, "rl-made-up").status()).isEqualTo(401);
        }
    }

    /** Registers a confidential client whose secret the tests never know (they send a wrong one). */
    void register(String clientId) {
        clients.save(RegisteredClient.withId(java.util.UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret("{bcrypt}"
                        + new org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder(4)
                                .encode(java.util.UUID.randomUUID().toString()))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .build());
    }

    RawHttp.Response token(String from, String clientId) {
        return RawHttp.send(
                from,
                port,
                "POST",
                "/oauth2/token",
                "grant_type=client_credentials",
                "Authorization",
                basic(clientId, "wrong-secret"));
    }

    /** A browser's authorization request (the demo SPA's): 302 to the sign-in page when within the limits. */
    RawHttp.Response authorize(String from) {
        return RawHttp.send(from, port, "GET", AUTHORIZE, "", "Accept", "text/html");
    }

    RawHttp.Response post(String from, String path, String body) {
        return RawHttp.send(from, port, "POST", path, body);
    }

    RawHttp.Response post(String from, String path, String body, String client) {
        return RawHttp.send(from, port, "POST", path, body, "Authorization", basic(client, serviceSecret));
    }

    static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }
}
