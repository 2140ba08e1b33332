package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

class RefreshTokenRotationEnforcerTests {

    private final Map<String, RegisteredClient> stored = new HashMap<>();
    private final RegisteredClientRepository plain = new RegisteredClientRepository() {
        @Override
        public void save(RegisteredClient client) {
            stored.put(client.getId(), client);
        }

        @Override
        public RegisteredClient findById(String id) {
            return stored.get(id);
        }

        @Override
        public RegisteredClient findByClientId(String clientId) {
            return stored.values().stream()
                    .filter(c -> c.getClientId().equals(clientId))
                    .findFirst()
                    .orElse(null);
        }
    };

    private static RegisteredClient client(boolean reuse) {
        return RegisteredClient.withId("id-1")
                .clientId("imported")
                .clientSecret("{noop}unused")
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUri("https://app.example.test/cb")
                .tokenSettings(TokenSettings.builder().reuseRefreshTokens(reuse).build())
                .build();
    }

    @Test
    void findWhenClientStoredWithReuseDefaultThenRotationForced() {
        stored.put("id-1", client(true)); // e.g. imported before the enforcer existed
        RefreshTokenRotationEnforcer repository = new RefreshTokenRotationEnforcer(plain);

        assertThat(repository.findByClientId("imported").getTokenSettings().isReuseRefreshTokens())
                .isFalse();
        assertThat(repository.findById("id-1").getTokenSettings().isReuseRefreshTokens())
                .isFalse();
    }

    @Test
    void saveWhenClientAsksForReuseThenStoredWithRotation() {
        new RefreshTokenRotationEnforcer(plain).save(client(true));

        assertThat(stored.get("id-1").getTokenSettings().isReuseRefreshTokens()).isFalse();
        assertThat(stored.get("id-1").getClientId()).isEqualTo("imported");
    }

    @Test
    void findWhenUnknownThenNull() {
        assertThat(new RefreshTokenRotationEnforcer(plain).findByClientId("nobody"))
                .isNull();
    }
}
