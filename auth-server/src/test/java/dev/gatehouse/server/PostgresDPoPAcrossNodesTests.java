package dev.gatehouse.server;

import static dev.gatehouse.server.AbstractAuthorizationServerTests.dpopProof;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.ratelimit.RawHttp;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * RFC 9449 §11.1 across nodes: two Gatehouse nodes (two Spring contexts, two ports) on one PostgreSQL, behind what
 * plays a load balancer: every request carries the same {@code Host} (node 1's), so both nodes build the same request
 * URLs ({@code htu}) and issuer, as behind nginx. A DPoP proof accepted by one node is refused by the other, at the
 * token endpoint and at UserInfo, although the other node's own (Spring's, in-memory) {@code jti} map has never seen
 * it.
 *
 * <p>Spring's map is a {@code static} field, one per JVM, and both nodes here share this test's JVM: before each
 * request to the second node the test empties it ({@link #secondNodesOwnMapIsEmpty()}), which is what a second JVM
 * would start with. Without that, Spring's map alone would refuse the replay and the test would prove nothing.
 */
class PostgresDPoPAcrossNodesTests {

    private static final String SERVICE = AbstractAuthorizationServerTests.SERVICE;
    private static final String SERVICE_REDIRECT = AbstractAuthorizationServerTests.SERVICE_REDIRECT;

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("dpopnodes");
    private static final TestNodes NODES = TestNodes.on(DATABASE);

    private static ConfigurableApplicationContext node1;
    private static ConfigurableApplicationContext node2;
    private static int port1;
    private static int port2;
    /** The address every request names (the load balancer's, here node 1's). */
    private static String host;

    private static String base;
    private static String serviceSecret;
    private static String demoPassword;

    @BeforeAll
    static void startNodes() throws IOException {
        // One after the other: the first creates the schema, keys and demo data, the second finds them.
        node1 = NODES.start("gatehouse.server.demo=true");
        node2 = NODES.start("gatehouse.server.demo=true");
        port1 = TestNodes.port(node1);
        port2 = TestNodes.port(node2);
        host = "localhost:" + port1;
        base = "http://" + host;
        for (String line :
                Files.readAllLines(DATABASE.dataDir().resolve("demo-credentials.txt"), StandardCharsets.UTF_8)) {
            String[] words = line.strip().split(" ");
            if (line.contains("password:")) {
                demoPassword = words[words.length - 1];
            } else if (line.contains(SERVICE + " secret:")) {
                serviceSecret = words[words.length - 1];
            }
        }
        assertThat(port2).isNotEqualTo(port1);
    }

    @AfterAll
    static void stopNodes() {
        NODES.close();
    }

    @Test
    void tokenEndpointWhenProofUsedAtNode1ThenRefusedAtNode2() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String proof = dpopProof(key, "POST", base + "/oauth2/token", null);

        RawHttp.Response first = clientCredentials(port1, proof);
        secondNodesOwnMapIsEmpty();
        RawHttp.Response replayed = clientCredentials(port2, proof);
        RawHttp.Response fresh = clientCredentials(port2, dpopProof(key, "POST", base + "/oauth2/token", null));

        assertThat(json(first, 200).get("token_type")).isEqualTo("DPoP");
        assertThat(json(replayed, 400).get("error")).isEqualTo("invalid_dpop_proof");
        // Node 2 takes proofs for this URL: the refusal is the replay, not the htu.
        assertThat(json(fresh, 200).get("token_type")).isEqualTo("DPoP");
    }

    @Test
    void tokenEndpointWhenProofUsedAtNode2ThenRefusedAtNode1() throws Exception {
        String proof = dpopProof(new ECKeyGenerator(Curve.P_256).generate(), "POST", base + "/oauth2/token", null);

        assertThat(json(clientCredentials(port2, proof), 200).get("token_type")).isEqualTo("DPoP");
        secondNodesOwnMapIsEmpty();
        assertThat(json(clientCredentials(port1, proof), 400).get("error")).isEqualTo("invalid_dpop_proof");
    }

    @Test
    void userInfoWhenProofUsedAtNode1ThenRefusedAtNode2() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String at = dpopBoundAccessToken(key);
        String proof = dpopProof(key, "GET", base + "/userinfo", at);

        RawHttp.Response first = userInfo(port1, at, proof);
        secondNodesOwnMapIsEmpty();
        RawHttp.Response replayed = userInfo(port2, at, proof);
        RawHttp.Response fresh = userInfo(port2, at, dpopProof(key, "GET", base + "/userinfo", at));

        assertThat(json(first, 200).get("sub")).isEqualTo("demo");
        assertThat(replayed.status()).isEqualTo(401);
        assertThat(replayed.body()).doesNotContain("\"sub\"");
        assertThat(replayed.header("WWW-Authenticate")).startsWith("DPoP error=\"invalid_dpop_proof\"");
        assertThat(json(fresh, 200).get("sub")).isEqualTo("demo");
    }

    /** A DPoP-bound access token for the demo user (scope openid), from node 1 through the code flow. */
    private static String dpopBoundAccessToken(ECKey key) throws Exception {
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        String redirected = new MfaSignInFlow(base, SERVICE, serviceSecret, SERVICE_REDIRECT)
                .password(browser, "demo", demoPassword, pkce);
        assertThat(redirected).startsWith(SERVICE_REDIRECT + "?");
        String code = HttpBrowser.query(redirected).get("code");
        String form = HttpBrowser.encode(Map.of(
                "grant_type",
                "authorization_code",
                "code",
                code,
                "redirect_uri",
                SERVICE_REDIRECT,
                "code_verifier",
                pkce.verifier()));
        RawHttp.Response tokens = RawHttp.sendAs(
                host,
                port1,
                "POST",
                "/oauth2/token",
                form,
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret),
                "DPoP",
                dpopProof(key, "POST", base + "/oauth2/token", null));
        Map<String, Object> body = json(tokens, 200);
        assertThat(body.get("token_type")).isEqualTo("DPoP");
        return (String) body.get("access_token");
    }

    /**
     * Empties Spring Security's per-JVM map of proof {@code jti} hashes ({@code DPoPProofJwtDecoderFactory
     * .JtiClaimValidator.JTI_CACHE}, 7.0.6), as the other node's JVM would have it. If a Spring upgrade removes the
     * field (spring-projects/spring-security#18120), this fails: look again at what the shared check must still do.
     */
    private static void secondNodesOwnMapIsEmpty() throws ReflectiveOperationException {
        Field cache = Class.forName(
                        "org.springframework.security.oauth2.jwt.DPoPProofJwtDecoderFactory$JtiClaimValidator")
                .getDeclaredField("JTI_CACHE");
        cache.setAccessible(true);
        ((Map<?, ?>) cache.get(null)).clear();
    }

    private static RawHttp.Response clientCredentials(int port, String proof) {
        return RawHttp.sendAs(
                host,
                port,
                "POST",
                "/oauth2/token",
                "grant_type=client_credentials&scope=api.read",
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret),
                "DPoP",
                proof);
    }

    private static RawHttp.Response userInfo(int port, String accessToken, String proof) {
        return RawHttp.sendAs(
                host, port, "GET", "/userinfo", "", "Authorization", "DPoP " + accessToken, "DPoP", proof);
    }

    private static Map<String, Object> json(RawHttp.Response r, int status) throws java.text.ParseException {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        return JSONObjectUtils.parse(r.body());
    }
}
