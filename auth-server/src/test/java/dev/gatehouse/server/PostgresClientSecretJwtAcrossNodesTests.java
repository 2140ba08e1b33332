package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.clients.SealedClientSecrets;
import dev.gatehouse.server.ratelimit.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * RFC 7523 §3 item 7 across nodes for {@code client_secret_jwt}: two Gatehouse nodes (two Spring contexts, two ports)
 * on one PostgreSQL, every request naming node 1's {@code Host} as a load balancer would (so both nodes take the same
 * issuer as {@code aud}). An assertion accepted by one node is refused by the other, through the shared {@code
 * gh_used_jti} table; the other node accepts a fresh one, so the refusal is the replay. The client's sealed secret,
 * written by node 1, opens on node 2 (one master key, one database).
 */
class PostgresClientSecretJwtAcrossNodesTests {

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("csjnodes");
    private static final TestNodes NODES = TestNodes.on(DATABASE);
    private static final String CLIENT = "csj-nodes";

    private static int port1;
    private static int port2;
    private static String host;
    private static String secret;

    @BeforeAll
    static void startNodes() {
        ConfigurableApplicationContext node1 = NODES.start();
        ConfigurableApplicationContext node2 = NODES.start();
        port1 = TestNodes.port(node1);
        port2 = TestNodes.port(node2);
        host = "localhost:" + port1;
        SealedClientSecrets sealed = node1.getBean(SealedClientSecrets.class);
        secret = sealed.generate();
        RegisteredClient client = RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(CLIENT)
                .clientSecret(node1.getBean(ClientSecrets.class).encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_JWT)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("api.read")
                .clientSettings(ClientSettings.builder().requireProofKey(true).build())
                .tokenSettings(TokenSettings.builder()
                        .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                        .build())
                .build();
        node1.getBean(RegisteredClientRepository.class).save(sealed.apply(client, secret));
        assertThat(port2).isNotEqualTo(port1);
    }

    @AfterAll
    static void stopNodes() {
        NODES.close();
    }

    @Test
    void tokenWhenAssertionUsedAtNode1ThenRefusedAtNode2() throws Exception {
        String assertion = assertion();
        assertThat(json(clientCredentials(port1, assertion), 200)).containsKey("access_token");
        assertThat(json(clientCredentials(port2, assertion), 401)).containsEntry("error", "invalid_client");
        assertThat(json(clientCredentials(port2, assertion()), 200)).containsKey("access_token");
    }

    @Test
    void tokenWhenAssertionUsedAtNode2ThenRefusedAtNode1() throws Exception {
        String assertion = assertion();
        assertThat(json(clientCredentials(port2, assertion), 200)).containsKey("access_token");
        assertThat(json(clientCredentials(port1, assertion), 401)).containsEntry("error", "invalid_client");
    }

    private static String assertion() throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS512),
                new JWTClaimsSet.Builder()
                        .issuer(CLIENT)
                        .subject(CLIENT)
                        .audience("http://" + host)
                        .jwtID(UUID.randomUUID().toString())
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(60)))
                        .build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static RawHttp.Response clientCredentials(int port, String assertion) {
        return RawHttp.sendAs(
                host,
                port,
                "POST",
                "/oauth2/token",
                HttpBrowser.encode(Map.of(
                        "grant_type",
                        "client_credentials",
                        "scope",
                        "api.read",
                        "client_id",
                        CLIENT,
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        "client_assertion",
                        assertion)));
    }

    private static Map<String, Object> json(RawHttp.Response r, int status) throws java.text.ParseException {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        return JSONObjectUtils.parse(r.body());
    }
}
