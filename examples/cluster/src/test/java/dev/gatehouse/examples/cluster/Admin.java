package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Base64;

/** The admin API as an operator uses it: a client-credentials token with scope {@code admin} (demo service client). */
final class Admin {

    private final String base;
    private final String token;

    private Admin(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** An admin session on {@code base} (nginx or one node). */
    static Admin on(String base, SharedCluster.Demo demo) {
        HttpResponse<String> r =
                Flows.clientCredentials(new Http(base), SharedCluster.Demo.SERVICE, demo.serviceSecret(), "admin");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new Admin(base, (String) Http.json(r).get("access_token"));
    }

    /** Creates a user with a fresh random password (role {@code user}); returns the password. */
    String createUser(String username) {
        String password = random(18);
        HttpResponse<String> r =
                post("/admin/users", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return password;
    }

    /** Registers a confidential client-credentials client with scope {@code api.read}; returns its secret. */
    String registerServiceClient(String clientId) {
        HttpResponse<String> r = post(
                "/admin/clients",
                "{\"clientId\":\"" + clientId + "\",\"clientName\":\"cluster test\",\"type\":\"confidential\","
                        + "\"grantTypes\":[\"client_credentials\"],\"scopes\":[\"api.read\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return (String) Http.json(r).get("clientSecret");
    }

    /** Rotates a client's secret; returns the new one. */
    String rotateSecret(String clientId) {
        HttpResponse<String> r = post("/admin/clients/" + clientId + "/secret", "");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return (String) Http.json(r).get("clientSecret");
    }

    /**
     * Forces a key rotation ({@code POST /admin/keys/rotate}, not the emergency one); returns the answer ({@code
     * previousKid}, {@code activeKid}, {@code keys}).
     */
    java.util.Map<String, Object> rotateKeys() {
        HttpResponse<String> r = post("/admin/keys/rotate", "");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.json(r);
    }

    private HttpResponse<String> post(String path, String json) {
        return new Http(base).postJson(path, json, "Authorization", "Bearer " + token, "Accept", "application/json");
    }

    static String random(int bytes) {
        byte[] raw = new byte[bytes];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    @Override
    public String toString() {
        return "Admin[" + base + "]";
    }
}
