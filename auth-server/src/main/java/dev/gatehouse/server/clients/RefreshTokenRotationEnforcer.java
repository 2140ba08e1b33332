package dev.gatehouse.server.clients;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * Makes refresh-token rotation (OAuth 2.1 §4.3.1; RFC 9700 §4.14.2) hold for every client, not only those
 * registered with it: Spring Authorization Server's {@code TokenSettings} default is to reuse refresh
 * tokens, and a client saved or imported with that default would never rotate, so reuse detection could
 * never fire. Every client read or saved through this repository has {@code reuseRefreshTokens=false}.
 */
final class RefreshTokenRotationEnforcer implements RegisteredClientRepository {

    private final RegisteredClientRepository delegate;

    /**
     * Wraps a repository.
     *
     * @param delegate the repository
     */
    RefreshTokenRotationEnforcer(RegisteredClientRepository delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    @Override
    public void save(RegisteredClient client) {
        delegate.save(rotating(client));
    }

    @Override
    public @Nullable RegisteredClient findById(String id) {
        return rotating(delegate.findById(id));
    }

    @Override
    public @Nullable RegisteredClient findByClientId(String clientId) {
        return rotating(delegate.findByClientId(clientId));
    }

    static @Nullable RegisteredClient rotating(@Nullable RegisteredClient client) {
        if (client == null || !client.getTokenSettings().isReuseRefreshTokens()) {
            return client;
        }
        TokenSettings settings = TokenSettings.withSettings(
                        client.getTokenSettings().getSettings())
                .reuseRefreshTokens(false)
                .build();
        return RegisteredClient.from(client).tokenSettings(settings).build();
    }
}
