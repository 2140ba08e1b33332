package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.users.JdbcUserStore;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Tracing end to end on the server (issue #19), every span caught in memory as it ends: a browser sign-in with
 * password and TOTP, the code exchange, a refresh and a replayed code give {@code gatehouse.signin.step} and {@code
 * gatehouse.token} spans with attributes from their fixed sets under the request's span, database spans with SQL
 * text only, and not one span anywhere holds the password, the TOTP code, the code, its verifier, a token or the
 * client secret. A caller's {@code traceparent} is continued. Sampling is on here (probability 1.0); that a caller
 * cannot force it at the default 0.0 is TracingSamplerTests'.
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
            "management.tracing.sampling.probability=1.0"
        })
@Import({AbstractSignInLockoutTests.TestClock.class, H2TracingTests.Spans.class})
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
class H2TracingTests {

    static final String PASSWORD = "tracing password 7 sure";
    static final String REDIRECT = "http://127.0.0.1:8085/cb";
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());
    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-tracing-h2-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }

    /**
     * Every ended span, at once (a simple processor beside Boot's batching one). The exporter is no bean of its own:
     * Boot's batch processor would export to it too, and every span would be caught twice.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class Spans {
        @Bean
        Collected collectedSpans() {
            return new Collected();
        }

        @Bean
        SpanProcessor collectingSpanProcessor(Collected collected) {
            return SimpleSpanProcessor.create(collected.exporter());
        }
    }

    static final class Collected {
        final List<SpanData> spans = new CopyOnWriteArrayList<>();

        SpanExporter exporter() {
            return new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> batch) {
                    spans.addAll(batch);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            };
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    Collected collected;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets clientSecrets;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    TotpService totpService;

    @Autowired
    MovableClock clock;

    String base;
    String clientId;
    String clientSecret;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        clientSecret = clientSecrets.generate();
        clientId = "tracing-" + UUID.randomUUID();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret(clientSecrets.encoder().encode(clientSecret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUri(REDIRECT)
                .scope("openid")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .setting(MfaPolicy.REQUIRE_MFA_SETTING, true)
                        .build())
                .build());
    }

    @Test
    void signInAndTokensWhenTracedThenStepAndTokenSpansWithFixedAttributesAndNoSecretInAnySpan() throws Exception {
        String name = "tracing-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        TotpSecret key = MfaSignInFlow.enrolConfirmed(totpService, name, clock.instant());
        String wrongPassword = "not the " + PASSWORD;
        collected.spans.clear();

        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        MfaSignInFlow flow = new MfaSignInFlow(base, clientId, clientSecret, REDIRECT);
        assertThat(browser.login(name, wrongPassword).headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).contains("/login?error"));
        String next = flow.password(browser, name, PASSWORD, pkce);
        assertThat(next).endsWith("/mfa/totp");
        String totpCode = TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30)));
        String resumed = flow.submit(browser, "/mfa/totp", totpCode);
        String location = browser.get(resumed).headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        String code = HttpBrowser.query(location).get("code");
        Map<String, Object> tokens = flow.exchange(browser, code, pkce);
        String refreshToken = (String) tokens.get("refresh_token");
        HttpResponse<String> refreshed = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "refresh_token", "refresh_token", refreshToken),
                "Authorization",
                HttpBrowser.basic(clientId, clientSecret));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        Map<String, Object> second = JSONObjectUtils.parse(refreshed.body());
        HttpResponse<String> replayed = browser.postForm(
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
                HttpBrowser.basic(clientId, clientSecret));
        assertThat(replayed.statusCode()).isEqualTo(400);

        List<SpanData> spans = List.copyOf(collected.spans);
        List<SpanData> tokenSpans = named(spans, "gatehouse.token");
        assertThat(tokenSpans)
                .extracting(s ->
                        attribute(s, "grant_type") + " " + attribute(s, "outcome") + " " + attribute(s, "client_id"))
                .containsExactly(
                        "authorization_code success " + clientId,
                        "refresh_token success " + clientId,
                        "authorization_code invalid_grant " + clientId);
        // Each token span is a child of its request's server span, in the same trace.
        for (SpanData token : tokenSpans) {
            SpanData parent = spans.stream()
                    .filter(s -> s.getSpanId().equals(token.getParentSpanId()))
                    .findFirst()
                    .orElseThrow();
            assertThat(parent.getTraceId()).isEqualTo(token.getTraceId());
            assertThat(parent.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.SERVER);
        }
        assertThat(named(spans, "gatehouse.signin.step"))
                .extracting(s -> attribute(s, "step") + " " + attribute(s, "outcome"))
                .containsExactly("password failure", "password success", "totp success");
        // Database spans: SQL text, never a parameter value.
        List<SpanData> database = spans.stream()
                .filter(s -> s.getAttributes().asMap().keySet().stream()
                        .anyMatch(k -> k.getKey().startsWith("jdbc.query")))
                .toList();
        assertThat(database).isNotEmpty();
        assertThat(spans)
                .flatExtracting(s -> s.getAttributes().asMap().keySet())
                .extracting(AttributeKey::getKey)
                .noneMatch(k -> k.startsWith("jdbc.params"));

        List<String> secrets = List.of(
                PASSWORD,
                wrongPassword,
                totpCode,
                code,
                pkce.verifier(),
                clientSecret,
                (String) tokens.get("access_token"),
                refreshToken,
                (String) tokens.get("id_token"),
                (String) second.get("access_token"),
                (String) second.get("refresh_token"),
                key.base32());
        for (SpanData span : spans) {
            String text = text(span);
            for (String secret : secrets) {
                assertThat(text).as("span %s", span.getName()).doesNotContain(secret);
            }
        }
    }

    @Test
    void requestWhenCallerSendsTraceparentThenServerSpanContinuesItsTrace() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        collected.spans.clear();
        HttpResponse<String> r = new HttpBrowser(base)
                .get("/.well-known/openid-configuration", "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(collected.spans)
                .filteredOn(s -> s.getKind() == io.opentelemetry.api.trace.SpanKind.SERVER)
                .extracting(SpanData::getTraceId)
                .contains(trace);
    }

    private static List<SpanData> named(List<SpanData> spans, String name) {
        return spans.stream()
                .filter(s -> s.getName().equals(name))
                .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos))
                .toList();
    }

    private static String attribute(SpanData span, String key) {
        return String.valueOf(span.getAttributes().get(AttributeKey.stringKey(key)));
    }

    /** Everything a span carries as text: name, attributes, events and their attributes, status. */
    private static String text(SpanData span) {
        return span.getName()
                + span.getAttributes()
                + span.getEvents().stream()
                        .map(e -> e.getName() + e.getAttributes())
                        .collect(Collectors.joining())
                + span.getStatus()
                + span.getLinks();
    }
}
