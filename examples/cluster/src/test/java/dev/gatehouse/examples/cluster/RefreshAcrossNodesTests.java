package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Refresh-token rotation and reuse detection (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2) hold across nodes: the code is
 * redeemed on one node, the refresh token rotated on another, and a replay of the old one on a third revokes the
 * whole family everywhere. (The browser part stays on node 1, as sessions are node-local without the shared
 * session store; the browser sign-in through nginx is {@code SignInThroughNginxTests}.)
 */
@ExtendWith(SharedCluster.class)
@Order(2)
class RefreshAcrossNodesTests {

    private static Cluster cluster;
    private static SharedCluster.Demo demo;

    @BeforeAll
    static void cluster(Cluster shared, SharedCluster.Demo credentials) {
        cluster = shared;
        demo = credentials;
    }

    @Test
    void refreshTokenWhenRotatedOnAnotherNodeThenReuseOfOldOneRevokesFamilyOnEveryNode() {
        String secret = demo.serviceSecret();
        String client = SharedCluster.Demo.SERVICE;
        Http.Pkce pkce = Http.Pkce.create();
        String code = Flows.signInForCode(
                new Http(cluster.node(1).url()), SharedCluster.Demo.USER, demo.password(), pkce, demo);

        HttpResponse<String> exchanged = Flows.exchange(new Http(cluster.node(2).url()), code, pkce, demo);
        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
        Map<String, Object> first = Http.json(exchanged);
        String rt1 = (String) first.get("refresh_token");
        String at1 = (String) first.get("access_token");
        assertThat(rt1).isNotBlank();

        // Rotation on node 3: a new refresh token, the old access token gone (on every node).
        HttpResponse<String> rotated = Flows.refresh(new Http(cluster.node(3).url()), client, secret, rt1);
        assertThat(Flows.outcome(rotated)).isEqualTo("200");
        Map<String, Object> second = Http.json(rotated);
        String rt2 = (String) second.get("refresh_token");
        String at2 = (String) second.get("access_token");
        assertThat(rt2).isNotEqualTo(rt1);
        for (Cluster.Node node : cluster.nodes()) {
            assertThat(Flows.introspect(node.url(), at1, client, secret)).containsEntry("active", false);
            assertThat(Flows.introspect(node.url(), at2, client, secret)).containsEntry("active", true);
        }

        // The old refresh token replayed on node 1: refused, and the family revoked, seen from every node.
        assertThat(Flows.outcome(Flows.refresh(new Http(cluster.node(1).url()), client, secret, rt1)))
                .isEqualTo("400 invalid_grant");
        assertThat(Flows.outcome(Flows.refresh(new Http(cluster.node(2).url()), client, secret, rt2)))
                .isEqualTo("400 invalid_grant");
        for (Cluster.Node node : cluster.nodes()) {
            assertThat(Flows.introspect(node.url(), at2, client, secret))
                    .as(node.name())
                    .containsEntry("active", false);
        }
    }
}
