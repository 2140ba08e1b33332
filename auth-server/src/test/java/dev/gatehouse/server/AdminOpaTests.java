package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.core.testsupport.Opa;
import dev.gatehouse.server.clients.ClientSecrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The admin API with a real Open Policy Agent beside its roles ({@code gatehouse.server.admin.opa.url}): OPA vetoes what
 * its Rego policy says (here: no signing-key changes) and its permits grant nothing the roles refuse; it shows in the
 * health as {@code opa}, and when it is down every admin decision is a deny (fail closed) and the health says DOWN.
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
            "gatehouse.server.admin.opa.timeout=2s",
            "gatehouse.server.admin.opa.health-cache=0s"
        })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminOpaTests {

    static final String POLICY = """
            package gatehouse.admin

            # Allow-by-default, the way such rules are often written: OPA must still never grant what the
            # roles refuse (the server reads its permits as no opinion).
            default decision := {"allow": true, "reason": "allowed unless frozen"}

            decision := {"allow": false, "reason": "signing keys are frozen"} if {
            	input.resource.type == "key"
            	input.action == "write"
            }
            """;

    static final Opa.Running OPA = Opa.run(List.of(write("admin.rego", POLICY).toString()));

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("gatehouse-admin-opa-");
        registry.add("gatehouse.server.data-dir", data::toString);
        registry.add("gatehouse.server.admin.opa.url", () -> OPA.url().toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets secrets;

    HttpBrowser browser;
    String token;
    String noAdminToken;

    @BeforeEach
    void setUp() throws Exception {
        browser = new HttpBrowser("http://localhost:" + port);
        String id = "ops-" + UUID.randomUUID();
        String secret = secrets.generate();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientSecret(secrets.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("admin")
                .scope("actuator.read")
                .scope("api.read")
                .build());
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "admin actuator.read"),
                "Authorization",
                HttpBrowser.basic(id, secret));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        token = (String) JSONObjectUtils.parse(r.body()).get("access_token");
        HttpResponse<String> plain = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "api.read"),
                "Authorization",
                HttpBrowser.basic(id, secret));
        noAdminToken = (String) JSONObjectUtils.parse(plain.body()).get("access_token");
    }

    @Test
    @Order(1)
    void adminWhenOpaVetoesKeyChangesThenForbiddenWhileRolesStillDecideTheRest() throws Exception {
        // The roles allow an admin client everything; OPA vetoes key rotation only.
        HttpResponse<String> rotate = send("POST", "/admin/keys/rotate");
        assertThat(rotate.statusCode()).as(rotate.body()).isEqualTo(403);
        assertThat(JSONObjectUtils.parse(rotate.body()).get("code")).isEqualTo("admin.forbidden");
        assertThat(send("GET", "/admin/keys").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/admin/users").statusCode()).isEqualTo(200);
        // OPA allows everything else, but a token that conveys no admin role still gets nothing.
        assertThat(browser.getWithBearer("/admin/users", noAdminToken).statusCode())
                .isEqualTo(403);
        assertThat(browser.postRaw("/admin/keys/rotate", "", "Authorization", "Bearer " + noAdminToken)
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    @Order(2)
    void healthWhenOpaConfiguredThenOpaComponentUp() throws Exception {
        assertThat(component("opa")).containsEntry("status", "UP");
    }

    @Test
    @Order(3)
    void adminWhenOpaDownThenEveryDecisionDeniedAndHealthDown() throws Exception {
        OPA.stop();
        // Fail closed: no answer from OPA is a deny, even where the roles alone would allow.
        assertThat(send("GET", "/admin/users").statusCode()).isEqualTo(403);
        assertThat(component("opa")).containsEntry("status", "DOWN");
    }

    private HttpResponse<String> send(String method, String path) {
        return method.equals("GET")
                ? browser.getWithBearer(path, token)
                : browser.postRaw(path, "", "Authorization", "Bearer " + token);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> component(String name) throws Exception {
        HttpResponse<String> health = browser.getWithBearer("/actuator/health", token);
        Map<String, Object> components =
                (Map<String, Object>) JSONObjectUtils.parse(health.body()).get("components");
        assertThat(components).as(health.body()).containsKey(name);
        return (Map<String, Object>) components.get(name);
    }

    private static Path write(String name, String content) {
        try {
            Path dir = Files.createTempDirectory("gatehouse-admin-policy-");
            return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
