package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpResponse;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A DPoP proof (RFC 9449 §4) is used once across the cluster (§11.1): the same proof sent again through nginx, which
 * hands it to another node, is refused at the token endpoint. Needs the cluster-wide {@code jti} store (issue 14).
 */
@ExtendWith(SharedCluster.class)
@Order(11)
class DpopReplayAcrossNodesTests {

    private static Cluster cluster;
    private static SharedCluster.Demo demo;

    @BeforeAll
    static void cluster(Cluster shared, SharedCluster.Demo credentials) {
        cluster = shared;
        demo = credentials;
    }

    @Test
    void tokenRequestWhenProofReplayedToAnotherNodeThenInvalidDpopProof() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        // htu is the URL the client calls (RFC 9449 §4.2): nginx's, whichever node answers.
        SignedJWT proof = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(new JOSEObjectType("dpop+jwt"))
                        .jwk(key.toPublicJWK())
                        .build(),
                new JWTClaimsSet.Builder()
                        .jwtID(UUID.randomUUID().toString())
                        .claim("htm", "POST")
                        .claim("htu", cluster.issuer() + "/oauth2/token")
                        .issueTime(new Date())
                        .build());
        proof.sign(new ECDSASigner(key));
        Http nginx = new Http(cluster.issuer());

        HttpResponse<String> first = request(nginx, proof.serialize());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(Http.json(first)).containsEntry("token_type", "DPoP");
        HttpResponse<String> replay = request(nginx, proof.serialize());
        List<String> nodes = nginx.answeredBy();
        assertThat(nodes.get(1))
                .as("round robin sent the replay to another node")
                .isNotEqualTo(nodes.get(0));
        // (The body is not shown: when the replay is wrongly accepted, it holds a token.)
        assertThat(replay.statusCode())
                .as("the replayed proof on %s", nodes.get(1))
                .isEqualTo(400);
        assertThat(Http.json(replay)).containsEntry("error", "invalid_dpop_proof");
    }

    private static HttpResponse<String> request(Http http, String proof) {
        return http.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "api.read"),
                "Authorization",
                Http.basic(SharedCluster.Demo.SERVICE, demo.serviceSecret()),
                "DPoP",
                proof);
    }
}
