package dev.gatehouse.server.dynamicclients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.clients.ClientSecrets;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The client configuration endpoint (RFC 7592) on its own, over an in-memory database: what happens inside and
 * outside transactions, token rotation and what an update keeps of the stored client.
 */
class ClientConfigurationEndpointTests {

    static final String REDIRECT = "http://127.0.0.1:49152/callback";

    JdbcTemplate jdbc;
    DriverManagerDataSource dataSource;
    RegistrationAccessTokens tokens;
    final Map<String, RegisteredClient> clients = new HashMap<>();
    final List<AuditEvent> events = new ArrayList<>();
    final List<String> consentsForgotten = new ArrayList<>();
    final List<String> clientCredentialsRemoved = new ArrayList<>();
    RegistrationPolicy policy;
    Runnable onSave = () -> {};
    ClientConfigurationEndpoint endpoint;

    @BeforeEach
    void setUp() {
        dataSource = new DriverManagerDataSource(
                "jdbc:h2:mem:rfc7592-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("CREATE TABLE gh_registration_access_token (registered_client_id varchar(100) PRIMARY KEY,"
                + " token_hash char(43) NOT NULL, issued_at timestamp with time zone NOT NULL)");
        tokens = new RegistrationAccessTokens(jdbc, Clock.systemUTC(), new SecureRandom());
        policy = new RegistrationPolicy(
                DynamicRegistrationPropertiesTests.with(
                        List.of("authorization_code", "refresh_token"),
                        List.of("none", "client_secret_basic"),
                        List.of("https://a.example.test/", "https://b.example.test/")),
                Duration.ofMinutes(5),
                Duration.ofHours(1));
        endpoint = endpoint(new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
    }

    @AfterEach
    void tearDown() {
        jdbc.execute("SHUTDOWN");
    }

    ClientConfigurationEndpoint endpoint(TransactionTemplate tx) {
        ClientConfigurationEndpoint.Store store = new ClientConfigurationEndpoint.Store() {
            @Override
            public @Nullable RegisteredClient findByClientId(String clientId) {
                return clients.get(clientId);
            }

            @Override
            public void save(RegisteredClient client) {
                clients.put(client.getClientId(), client);
                onSave.run();
            }

            @Override
            public void delete(RegisteredClient client) {
                clients.remove(client.getClientId());
            }

            @Override
            public void forgetConsents(RegisteredClient client) {
                consentsForgotten.add(client.getClientId());
            }

            @Override
            public void removeClientCredentials(RegisteredClient client) {
                clientCredentialsRemoved.add(client.getClientId());
            }
        };
        ClientSecrets secrets = new ClientSecrets(new byte[32], new SecureRandom());
        return new ClientConfigurationEndpoint(
                true,
                4096,
                policy,
                tokens,
                secrets,
                store,
                tx,
                events::add,
                new RegistrationResponses(),
                id -> "https://issuer.example.test/oauth2/register/" + id,
                new dev.gatehouse.server.clients.SealedClientSecrets(
                        dev.gatehouse.core.crypto.Envelope.of(
                                dev.gatehouse.core.crypto.MasterKey.ephemeralForDevelopment()),
                        secrets,
                        new SecureRandom()));
    }

    /** Registers a public client directly; returns its registration access token. */
    String registered(String clientId) {
        RegisteredClient client = policy.newClient(
                policy.check(org.springframework.security.oauth2.server.authorization.OAuth2ClientRegistration.builder()
                        .redirectUri(REDIRECT)
                        .tokenEndpointAuthenticationMethod("none")
                        .build()),
                clientId,
                Instant.now(),
                null);
        clients.put(clientId, client);
        return tokens.issue(client.getId());
    }

    static String update(String clientId) {
        return "{\"client_id\":\"" + clientId + "\",\"redirect_uris\":[\"" + REDIRECT
                + "\"],\"token_endpoint_auth_method\":\"none\",\"client_name\":\"Renamed\"}";
    }

    /** A PUT whose body records whether a transaction was open while it was read. */
    static final class WatchedRequest extends MockHttpServletRequest {
        final List<Boolean> readInTransaction = new ArrayList<>();

        WatchedRequest(String method, String uri, @Nullable String token, byte[] body) {
            super(method, uri);
            setContentType("application/json");
            setContent(body);
            if (token != null) {
                setAttribute(DynamicRegistration.AUTHORIZATION_ATTRIBUTE, "Bearer " + token);
            }
        }

        @Override
        public ServletInputStream getInputStream() {
            java.io.InputStream in = new java.io.ByteArrayInputStream(getContentAsByteArray());
            return new ServletInputStream() {
                @Override
                public int read() throws java.io.IOException {
                    readInTransaction.add(TransactionSynchronizationManager.isActualTransactionActive());
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    readInTransaction.add(TransactionSynchronizationManager.isActualTransactionActive());
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return false;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {}
            };
        }
    }

    MockHttpServletResponse send(MockHttpServletRequest request) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        endpoint.doFilter(request, response, new MockFilterChain());
        return response;
    }

    @Test
    void updateWhenBodyReadThenNoTransactionHoldsAConnection() throws Exception {
        String rat = registered("c1");
        WatchedRequest put = new WatchedRequest(
                "PUT", "/oauth2/register/c1", rat, update("c1").getBytes(StandardCharsets.UTF_8));
        MockHttpServletResponse response = send(put);
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
        assertThat(put.readInTransaction).isNotEmpty().containsOnly(false);
        assertThat(clients.get("c1").getClientName()).isEqualTo("Renamed");
    }

    @Test
    void updateWhenOperatorChangedSettingsThenKeptAndResourcesStayNarrowed() throws Exception {
        String rat = registered("c2");
        RegisteredClient stored = clients.get("c2");
        // What an operator set through the admin API: MFA rules, introspection, one resource of the policy's two.
        clients.put(
                "c2",
                RegisteredClient.from(stored)
                        .clientSettings(
                                org.springframework.security.oauth2.server.authorization.settings.ClientSettings
                                        .withSettings(stored.getClientSettings().getSettings())
                                        .setting("settings.client.gatehouse.require-mfa", true)
                                        .setting("settings.client.gatehouse.require-phishing-resistant", true)
                                        .setting("settings.client.gatehouse.introspect-any-token", true)
                                        .setting(
                                                RegistrationPolicy.RESOURCES_SETTING,
                                                List.of("https://b.example.test/"))
                                        .build())
                        .tokenSettings(
                                org.springframework.security.oauth2.server.authorization.settings.TokenSettings
                                        .withSettings(stored.getTokenSettings().getSettings())
                                        .accessTokenTimeToLive(Duration.ofMinutes(1))
                                        .build())
                        .build());
        MockHttpServletResponse response = send(new WatchedRequest(
                "PUT", "/oauth2/register/c2", rat, update("c2").getBytes(StandardCharsets.UTF_8)));
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
        RegisteredClient updated = clients.get("c2");
        assertThat(updated.getClientName()).isEqualTo("Renamed");
        Map<String, Object> settings = updated.getClientSettings().getSettings();
        assertThat(settings)
                .containsEntry("settings.client.gatehouse.require-mfa", true)
                .containsEntry("settings.client.gatehouse.require-phishing-resistant", true)
                .containsEntry("settings.client.gatehouse.introspect-any-token", true)
                .containsEntry(RegistrationPolicy.DYNAMIC_SETTING, true)
                .containsEntry(RegistrationPolicy.RESOURCES_SETTING, List.of("https://b.example.test/"));
        assertThat(updated.getClientSettings().isRequireProofKey()).isTrue();
        assertThat(updated.getTokenSettings().getAccessTokenTimeToLive()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void updateWhenRedirectUrisChangeThenConsentsForgottenAndChangedFieldsAudited() throws Exception {
        String rat = registered("c3");
        // A new name only: users keep their consents.
        MockHttpServletResponse renamed = send(new WatchedRequest(
                "PUT", "/oauth2/register/c3", rat, update("c3").getBytes(StandardCharsets.UTF_8)));
        assertThat(renamed.getStatus()).isEqualTo(200);
        assertThat(consentsForgotten).isEmpty();
        assertThat(events.get(events.size() - 1).details()).containsEntry("changed", "client_name");
        String rat2 = (String) new tools.jackson.databind.json.JsonMapper()
                .readValue(renamed.getContentAsString(), Map.class)
                .get("registration_access_token");
        String repointed = "{\"client_id\":\"c3\",\"redirect_uris\":[\"http://127.0.0.1:40000/evil\"],"
                + "\"token_endpoint_auth_method\":\"none\",\"client_name\":\"Renamed\"}";
        MockHttpServletResponse response = send(
                new WatchedRequest("PUT", "/oauth2/register/c3", rat2, repointed.getBytes(StandardCharsets.UTF_8)));
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
        assertThat(consentsForgotten).containsExactly("c3");
        assertThat(events.get(events.size() - 1).details())
                .containsEntry("changed", "redirect_uris")
                .containsEntry("consents", "removed");
    }

    @Test
    void updateWhenTokenRotatedByAConcurrentRequestThenInvalidToken() throws Exception {
        String rat = registered("c4");
        // Another request with the same token wins between this one's check and its rotation.
        onSave = () -> jdbc.update("UPDATE gh_registration_access_token SET token_hash = ?", "x".repeat(43));
        MockHttpServletResponse response = send(new WatchedRequest(
                "PUT", "/oauth2/register/c4", rat, update("c4").getBytes(StandardCharsets.UTF_8)));
        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getContentAsString()).contains("invalid_token");
    }

    @Test
    void updateWhenContentTypeMalformedThenInvalidRequestAndAuditedAsRefused() throws Exception {
        String rat = registered("c5");
        WatchedRequest put = new WatchedRequest(
                "PUT", "/oauth2/register/c5", rat, update("c5").getBytes(StandardCharsets.UTF_8));
        put.setContentType("application/");
        MockHttpServletResponse response = send(put);
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentAsString()).contains("\"invalid_request\"");
        assertThat(events.get(events.size() - 1).type()).isEqualTo("client.registration.refused");
    }
}
