package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three nodes behind nginx answer as one server: requests are spread round robin, every node publishes the same
 * discovery document and the same keys, and a token issued through nginx is valid on every node.
 */
@ExtendWith(SharedCluster.class)
@Order(1)
class NodesBehindNginxTests {

    private static Cluster cluster;
    private static SharedCluster.Demo demo;

    @BeforeAll
    static void cluster(Cluster shared, SharedCluster.Demo credentials) {
        cluster = shared;
        demo = credentials;
    }

    @Test
    void requestsWhenSentThroughNginxThenAnsweredRoundRobinByEveryNode() {
        Http http = new Http(cluster.issuer());
        for (int i = 0; i < 9; i++) {
            assertThat(http.get("/.well-known/openid-configuration").statusCode())
                    .isEqualTo(200);
        }
        List<String> nodes = http.answeredBy();
        assertThat(nodes).hasSize(9);
        assertThat(Set.copyOf(nodes)).containsExactlyInAnyOrder("n1", "n2", "n3");
        // Round robin, no stickiness: one client's consecutive requests go to different nodes.
        for (int i = 1; i < nodes.size(); i++) {
            assertThat(nodes.get(i)).as("request %d", i).isNotEqualTo(nodes.get(i - 1));
        }
    }

    @Test
    void discoveryWhenAskedOfEachNodeThenSameDocumentNamingNginxAsIssuer() {
        Map<String, Object> viaNginx = Http.json(new Http(cluster.issuer()).get("/.well-known/openid-configuration"));
        assertThat(viaNginx).containsEntry("issuer", cluster.issuer());
        assertThat((String) viaNginx.get("token_endpoint")).startsWith(cluster.issuer() + "/");
        for (Cluster.Node node : cluster.nodes()) {
            assertThat(Http.json(new Http(node.url()).get("/.well-known/openid-configuration")))
                    .as(node.name())
                    .isEqualTo(viaNginx);
        }
    }

    @Test
    void jwksWhenAskedOfEachNodeThenSameKeys() throws Exception {
        String first = null;
        for (Cluster.Node node : cluster.nodes()) {
            HttpResponse<String> r = new Http(node.url()).get("/oauth2/jwks");
            assertThat(r.statusCode()).isEqualTo(200);
            JWKSet keys = JWKSet.parse(r.body());
            assertThat(keys.getKeys()).isNotEmpty();
            assertThat(keys.getKeys()).noneMatch(JWK::isPrivate);
            String canonical = keys.toString();
            if (first == null) {
                first = canonical;
            }
            assertThat(canonical).as(node.name()).isEqualTo(first);
        }
    }

    @Test
    void clientCredentialsTokenWhenIssuedThroughNginxThenVerifiesAndIntrospectsActiveOnEveryNode() throws Exception {
        HttpResponse<String> issued = Flows.clientCredentials(
                new Http(cluster.issuer()), SharedCluster.Demo.SERVICE, demo.serviceSecret(), "api.read");
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
        String token = (String) Http.json(issued).get("access_token");
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(cluster.issuer());
        Set<String> introspectedOn = new HashSet<>();
        for (Cluster.Node node : cluster.nodes()) {
            JWKSet keys = JWKSet.parse(new Http(node.url()).get("/oauth2/jwks").body());
            JWK key = keys.getKeyByKeyId(jwt.getHeader().getKeyID());
            assertThat(key).as("the signing key on %s", node.name()).isNotNull();
            JWSVerifier verifier = new DefaultJWSVerifierFactory()
                    .createJWSVerifier(
                            jwt.getHeader(),
                            key.getKeyType() == KeyType.EC
                                    ? key.toECKey().toPublicKey()
                                    : key.toRSAKey().toPublicKey());
            assertThat(jwt.verify(verifier))
                    .as("signature checked with %s's keys", node.name())
                    .isTrue();

            Map<String, Object> introspection =
                    Flows.introspect(node.url(), token, SharedCluster.Demo.SERVICE, demo.serviceSecret());
            assertThat(introspection)
                    .as(node.name())
                    .containsEntry("active", true)
                    .containsEntry("client_id", SharedCluster.Demo.SERVICE)
                    .containsEntry("iss", cluster.issuer());
            introspectedOn.add(node.name());
        }
        assertThat(introspectedOn).hasSize(3);
    }
}
