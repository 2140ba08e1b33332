package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.admin.AdminOpaProperties;
import dev.gatehouse.server.admin.AdminProperties;
import dev.gatehouse.server.audit.AuditProperties;
import dev.gatehouse.server.ratelimit.Limit;
import dev.gatehouse.server.ratelimit.RateLimitProperties;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.settings.ThrottleProperties;
import dev.gatehouse.server.transport.TransportProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The property names from before issue #22 still work for one release: a server configured only with them (as
 * properties, as a list written by index, as a dynamic test property and, for the issuer, as the environment variable
 * {@code GATEHOUSE_ISSUER})
 * binds the same values as under the new names and behaves so, and Spring Boot's properties migrator logs each old
 * key with its replacement, never its value. The only test that sets the old names; every other one uses the new.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.purge-interval=1h",
            "gatehouse.key-rotation-check=1h",
            "gatehouse.access-token-ttl=7m",
            "gatehouse.refresh-token-ttl=9h",
            "gatehouse.purge-grace=2h",
            "gatehouse.client-cache-ttl=0s",
            "gatehouse.cors-allowed-origins[0]=http://127.0.0.1:5999",
            "gatehouse.cors-allowed-origins[1]=http://127.0.0.1:5998",
            "gatehouse.dev-mode=true",
            "gatehouse.demo=true",
            "gatehouse.demo-require-consent=true",
            "gatehouse.demo-web-client-url=http://127.0.0.1:8099",
            "gatehouse.throttle.free-attempts=4",
            "gatehouse.admin.max-page-size=50",
            "gatehouse.admin.opa.bearer-token=" + LegacyPropertyNamesTests.OPA_TOKEN,
            "gatehouse.audit.batch-size=42",
            "gatehouse.rate-limit.token-per-address=123/1m",
            "gatehouse.transport.max-sessions=777"
        })
@ContextConfiguration(initializers = LegacyPropertyNamesTests.IssuerVariable.class)
@ExtendWith(OutputCaptureExtension.class)
class LegacyPropertyNamesTests {

    static final String ISSUER = "http://localhost:9555";
    static final String OPA_TOKEN = "legacy-opa-token-not-for-logs";

    private static final Path DATA = DemoData.newDataDir("gatehouse-legacy-names-");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.data-dir", DATA::toString);
    }

    /** {@code GATEHOUSE_ISSUER} as an environment variable (a source Spring Boot maps as it maps the real one). */
    static final class IssuerVariable implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new SystemEnvironmentPropertySource(
                            "legacy-systemEnvironment", Map.of("GATEHOUSE_ISSUER", ISSUER)));
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    GatehouseProperties gatehouse;

    @Autowired
    ThrottleProperties throttle;

    @Autowired
    AdminProperties admin;

    @Autowired
    AdminOpaProperties opa;

    @Autowired
    AuditProperties audit;

    @Autowired
    RateLimitProperties rateLimit;

    @Autowired
    TransportProperties transport;

    @Test
    void bindWhenOnlyOldNamesSetThenEveryValueReachesTheNewName() {
        assertThat(gatehouse.configuredIssuer()).isEqualTo(ISSUER);
        assertThat(gatehouse.token().accessTokenLifetime()).isEqualTo(Duration.ofMinutes(7));
        assertThat(gatehouse.token().refreshTokenLifetime()).isEqualTo(Duration.ofHours(9));
        assertThat(gatehouse.token().rotationCheckInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(gatehouse.server().dataDir()).isEqualTo(DATA);
        assertThat(gatehouse.server().demo()).isTrue();
        assertThat(gatehouse.server().demoRequireConsent()).isTrue();
        assertThat(gatehouse.server().demoWebClientUrl()).isEqualTo("http://127.0.0.1:8099");
        assertThat(gatehouse.server().purgeInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(gatehouse.server().purgeGrace()).isEqualTo(Duration.ofHours(2));
        assertThat(gatehouse.server().clientCacheTtl()).isZero();
        assertThat(gatehouse.server().corsAllowedOrigins())
                .containsExactly("http://127.0.0.1:5999", "http://127.0.0.1:5998");
        assertThat(throttle.freeAttempts()).isEqualTo(4);
        assertThat(admin.maxPageSize()).isEqualTo(50);
        assertThat(opa.bearerToken()).isEqualTo(OPA_TOKEN);
        assertThat(audit.batchSize()).isEqualTo(42);
        assertThat(rateLimit.tokenPerAddress()).isEqualTo(Limit.valueOf("123/1m"));
        assertThat(transport.maxSessions()).isEqualTo(777);
    }

    @Test
    void serverWhenOnlyOldNamesSetThenIssuerDataDirAndTokenLifetimeApply() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> discovery = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/.well-known/openid-configuration"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(discovery.statusCode()).isEqualTo(200);
        assertThat(JSONObjectUtils.parse(discovery.body())).containsEntry("issuer", ISSUER);

        // The demo was created in the directory named by the old gatehouse.data-dir, with the old token lifetime.
        assertThat(Files.exists(DATA.resolve("demo-credentials.txt"))).isTrue();
        String secret = DemoData.clientSecret(DATA, "gatehouse-demo-service");
        HttpResponse<String> token = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/oauth2/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Authorization", HttpBrowser.basic("gatehouse-demo-service", secret))
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=api.read"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        var claims = SignedJWT.parse(
                        (String) JSONObjectUtils.parse(token.body()).get("access_token"))
                .getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(ISSUER);
        assertThat(Duration.between(
                        claims.getIssueTime().toInstant(),
                        claims.getExpirationTime().toInstant()))
                .isEqualTo(Duration.ofMinutes(7));
    }

    @Test
    void startupWhenOldNamesSetThenWarnsNamingOldAndNewKeysButNoValue(CapturedOutput output) {
        for (List<String> renamed : List.of(
                List.of("gatehouse.issuer", "gatehouse.token.issuer"),
                List.of("gatehouse.access-token-ttl", "gatehouse.token.access-token-lifetime"),
                List.of("gatehouse.refresh-token-ttl", "gatehouse.token.refresh-token-lifetime"),
                List.of("gatehouse.key-rotation-check", "gatehouse.token.rotation-check-interval"),
                List.of("gatehouse.data-dir", "gatehouse.server.data-dir"),
                List.of("gatehouse.throttle.free-attempts", "gatehouse.server.throttle.free-attempts"),
                List.of("gatehouse.admin.opa.bearer-token", "gatehouse.server.admin.opa.bearer-token"),
                List.of("gatehouse.rate-limit.token-per-address", "gatehouse.server.rate-limit.token-per-address"),
                List.of("gatehouse.transport.max-sessions", "gatehouse.server.transport.max-sessions"))) {
            // No old name here is the start of another one set, so the key needs no line end (the log may be JSON).
            assertThat(output).contains("Key: " + renamed.get(0)).contains("Replacement: " + renamed.get(1));
        }
        // A list written by index is mapped by RenamedListProperties, which the migrator would leave behind.
        assertThat(output)
                .contains("gatehouse.cors-allowed-origins is deprecated")
                .contains("mapped to gatehouse.server.cors-allowed-origins")
                // The value as it would be printed: a bare "5998" also turns up in log timestamps' nanoseconds.
                .doesNotContain("127.0.0.1:5998");
        assertThat(output)
                .contains("configuration keys that have been renamed")
                .doesNotContain("configuration keys that are no longer supported")
                .doesNotContain(OPA_TOKEN);
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }
}
