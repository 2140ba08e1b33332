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
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * With {@code gatehouse.token.issuer} configured, every absolute URL the server hands out is built from it, whatever
 * {@code Host} header the request carried (issue #13 item 10): every request here claims {@code Host: evil.example}.
 * Redirects to the server's own pages are relative (RFC 9110 §10.2.2) or on the issuer.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=" + ConfiguredIssuerTests.ISSUER,
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=false",
            // The starter's resource server stays off in the server: its chains keep their own challenges.
            "gatehouse.resource-server.issuer-uri=" + ConfiguredIssuerTests.ISSUER
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
class ConfiguredIssuerTests {

    static final String ISSUER = "https://issuer.example";
    static final String EVIL = "evil.example";
    static final String REDIRECT = "http://127.0.0.1:8084/cb";
    static final String PASSWORD = "issuer tests password 7";
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        String dir = Files.createTempDirectory("gatehouse-issuer-h2-").toString();
        registry.add("gatehouse.server.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

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
    Clock clock;

    String secret;

    @BeforeEach
    void setUp() {
        secret = clientSecrets.generate();
    }

    @Test
    void deviceAuthorizationWhenHostForgedThenVerificationUrisOnIssuer() throws Exception {
        String client = "issuer-device-" + UUID.randomUUID();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(client)
                .clientSecret(clientSecrets.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.DEVICE_CODE)
                .scope("api.read")
                .build());
        Browser device = new Browser();
        Response r = device.send(
                "POST",
                "/oauth2/device_authorization",
                "scope=api.read",
                "Authorization",
                HttpBrowser.basic(client, secret),
                "Accept",
                "application/json");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, Object> body = JSONObjectUtils.parse(r.body());
        assertThat((String) body.get("verification_uri")).isEqualTo(ISSUER + "/oauth2/device_verification");
        assertThat((String) body.get("verification_uri_complete"))
                .startsWith(ISSUER + "/oauth2/device_verification?user_code=");
    }

    @Test
    void signInWhenHostForgedThenEveryRedirectIsRelativeOrOnIssuerAndConsentOnIssuer() {
        String client = codeClient(true);
        String name = newUser();
        Browser browser = new Browser();
        Pkce pkce = Pkce.create();
        Response toLogin = browser.send("GET", authorizePath(client, pkce), "");
        assertThat(toLogin.status()).isEqualTo(302);
        assertOwn(toLogin.location());
        Response signedIn = signIn(browser, name);
        // The saved authorization request resumes on the issuer, not on the forged host.
        assertThat(signedIn.location()).startsWith(ISSUER + "/oauth2/authorize?");
        Response consent = browser.send("GET", pathOf(signedIn.location()), "");
        assertThat(consent.status()).isEqualTo(302);
        assertThat(consent.location()).startsWith(ISSUER + "/oauth2/consent?");
    }

    @Test
    void totpStepWhenHostForgedThenResumesOnIssuer() {
        String client = codeClient(false);
        String name = newUser();
        TotpSecret key = TotpSecret.fromBase32(totpService.enrol(name, name).secretBase32());
        assertThat(totpService.confirm(name, TOTP.code(key, clock.instant())).accepted())
                .isTrue();
        Browser browser = new Browser();
        Pkce pkce = Pkce.create();
        browser.send("GET", authorizePath(client, pkce), "");
        Response signedIn = signIn(browser, name);
        Response step = browser.send("GET", pathOf(signedIn.location()), "");
        assertThat(step.status()).isEqualTo(302);
        assertOwn(step.location());
        assertThat(step.location()).endsWith("/mfa/totp");
        Response page = browser.send("GET", "/mfa/totp", "");
        Response passed = browser.send(
                "POST",
                "/mfa/totp",
                HttpBrowser.encode(Map.of(
                        "code", TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30))), "_csrf", csrf(page))));
        assertThat(passed.status()).as(passed.body()).isEqualTo(302);
        assertThat(passed.location()).startsWith(ISSUER + "/oauth2/authorize?");
    }

    @Test
    void openApiWhenHostForgedThenServerIsIssuer() throws Exception {
        Response r = new Browser().send("GET", "/admin/openapi.json", "", "Accept", "application/json");
        assertThat(r.status()).isEqualTo(200);
        List<?> servers = (List<?>) JSONObjectUtils.parse(r.body()).get("servers");
        assertThat(((Map<?, ?>) servers.get(0)).get("url")).isEqualTo(ISSUER);
        assertThat(r.body()).doesNotContain(EVIL);
    }

    @Test
    void userInfoWhenHostForgedThenChallengeAndMetadataOnIssuer() throws Exception {
        String metadata = ISSUER + "/.well-known/oauth-protected-resource/userinfo";
        Response challenge = new Browser().send("GET", "/userinfo", "", "Accept", "application/json");
        assertThat(challenge.status()).isEqualTo(401);
        assertThat(challenge.headers().get("www-authenticate"))
                .containsExactly("Bearer resource_metadata=\"" + metadata + "\"");
        Response document = new Browser()
                .send("GET", "/.well-known/oauth-protected-resource/userinfo", "", "Accept", "application/json");
        assertThat(document.status()).isEqualTo(200);
        assertThat(JSONObjectUtils.parse(document.body())).containsEntry("resource", ISSUER + "/userinfo");
        assertThat(document.body()).doesNotContain(EVIL);
    }

    // ---------------------------------------------------------------- helpers

    /** A redirect to this server's own page: relative, or on the issuer; never on the forged host. */
    static void assertOwn(String location) {
        assertThat(location).doesNotContain(EVIL);
        assertThat(location.startsWith("/") || location.startsWith(ISSUER + "/"))
                .as(location)
                .isTrue();
    }

    /** The path and query of an issuer URL, to send to the server under test. */
    static String pathOf(String location) {
        assertOwn(location);
        return location.startsWith(ISSUER) ? location.substring(ISSUER.length()) : location;
    }

    Response signIn(Browser browser, String name) {
        Response page = browser.send("GET", "/login", "");
        assertThat(page.status()).isEqualTo(200);
        Response signedIn = browser.send(
                "POST",
                "/login",
                HttpBrowser.encode(Map.of("username", name, "password", PASSWORD, "_csrf", csrf(page))));
        assertThat(signedIn.status()).as(signedIn.body()).isEqualTo(302);
        assertOwn(signedIn.location());
        return signedIn;
    }

    String authorizePath(String client, Pkce pkce) {
        return "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of(
                        "response_type",
                        "code",
                        "client_id",
                        client,
                        "redirect_uri",
                        REDIRECT,
                        "scope",
                        "openid profile",
                        "state",
                        "s-" + UUID.randomUUID(),
                        "code_challenge",
                        pkce.challenge(),
                        "code_challenge_method",
                        "S256"));
    }

    String codeClient(boolean consent) {
        String id = "issuer-code-" + UUID.randomUUID();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientSecret(clientSecrets.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(REDIRECT)
                .scope("openid")
                .scope("profile")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(consent)
                        .build())
                .build());
        return id;
    }

    String newUser() {
        String name = "issuer-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        return name;
    }

    static String csrf(Response page) {
        Matcher m = CSRF.matcher(page.body());
        assertThat(m.find()).as(page.body()).isTrue();
        return m.group(1);
    }

    record Response(int status, Map<String, List<String>> headers, String body) {
        String location() {
            List<String> values = headers.get("location");
            assertThat(values).as("Location of a " + status + " response").isNotNull();
            return values.get(0);
        }
    }

    /**
     * HTTP/1.1 (one request per connection) over a socket, with a {@code Host} header of its choosing (Java's
     * HttpClient will not send a forged one) and a cookie jar; never follows redirects. HTTP/1.1, since Tomcat
     * writes absolute redirects for HTTP/1.0 requests whatever it is told.
     */
    final class Browser {
        private final Map<String, String> cookies = new LinkedHashMap<>();

        Response send(String method, String target, String body, String... headers) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                socket.setSoTimeout(20_000);
                byte[] content = body.getBytes(StandardCharsets.UTF_8);
                StringBuilder request = new StringBuilder()
                        .append(method)
                        .append(' ')
                        .append(target)
                        .append(" HTTP/1.1\r\nConnection: close\r\nHost: ")
                        .append(EVIL)
                        .append("\r\n");
                if (!List.of(headers).contains("Accept")) {
                    request.append("Accept: text/html\r\n");
                }
                for (int i = 0; i + 1 < headers.length; i += 2) {
                    request.append(headers[i])
                            .append(": ")
                            .append(headers[i + 1])
                            .append("\r\n");
                }
                if (!cookies.isEmpty()) {
                    List<String> pairs = new ArrayList<>();
                    cookies.forEach((k, v) -> pairs.add(k + "=" + v));
                    request.append("Cookie: ").append(String.join("; ", pairs)).append("\r\n");
                }
                if (!"GET".equals(method)) {
                    request.append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")
                            .append(content.length)
                            .append("\r\n");
                }
                request.append("\r\n");
                OutputStream out = socket.getOutputStream();
                out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(content);
                out.flush();
                return parse(socket.getInputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Response parse(InputStream in) throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String raw = all.toString(StandardCharsets.UTF_8);
            int split = raw.indexOf("\r\n\r\n");
            String[] lines = raw.substring(0, split).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).strip();
                headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                if (name.equals("set-cookie")) {
                    String pair = value.split(";", 2)[0];
                    int eq = pair.indexOf('=');
                    cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            String body = raw.substring(split + 4);
            if (headers.getOrDefault("transfer-encoding", List.of()).contains("chunked")) {
                body = dechunk(body);
            }
            return new Response(status, headers, body);
        }

        /** RFC 9112 §7.1 chunked coding (the body as characters; chunk sizes count bytes, so UTF-8 is re-encoded). */
        private static String dechunk(String chunked) {
            byte[] bytes = chunked.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int i = 0;
            while (i < bytes.length) {
                int eol = i;
                while (bytes[eol] != '\r') {
                    eol++;
                }
                String size = new String(bytes, i, eol - i, StandardCharsets.US_ASCII).split(";")[0].strip();
                int n = Integer.parseInt(size, 16);
                if (n == 0) {
                    break;
                }
                out.write(bytes, eol + 2, n);
                i = eol + 2 + n + 2;
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
