package dev.gatehouse.server.passkeys;

import dev.gatehouse.server.pages.UiProperties;
import dev.gatehouse.server.settings.GatehouseProperties;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.web.webauthn.registration.PublicKeyCredentialCreationOptionsRepository;

/**
 * Passkeys (issue #16): the store, the relying party and its settings, checked at start-up. With {@code
 * gatehouse.server.passkeys.enabled=false} only the read API ({@link Passkeys}, then always empty of new passkeys)
 * is defined, and none of Spring's WebAuthn types, so {@code http.webAuthn(...)} stays off ({@link
 * ConditionalOnPasskeysEnabled}).
 *
 * <p>Beans when enabled: one {@code JdbcPasskeyStore} as {@link Passkeys}, {@code
 * PublicKeyCredentialUserEntityRepository} and {@code UserCredentialRepository}; {@code
 * WebAuthnRelyingPartyOperations} ({@link PasskeyRelyingParty}); a session-held {@link
 * PublicKeyCredentialCreationOptionsRepository}; and {@link PasskeyRelyingPartySettings}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PasskeyProperties.class)
class PasskeysConfiguration {

    @Bean
    PasskeyRelyingPartySettings passkeyRelyingPartySettings(
            PasskeyProperties properties, GatehouseProperties gatehouse, UiProperties ui) {
        return PasskeyRelyingPartySettings.resolve(properties, gatehouse.configuredIssuer(), ui.productName());
    }

    @Bean
    @ConditionalOnPasskeysEnabled
    JdbcPasskeyStore passkeyStore(JdbcTemplate jdbc, Clock clock) {
        return new JdbcPasskeyStore(jdbc, clock);
    }

    /** Disabled: the read API only, over the same tables, without Spring's repository types. */
    @Bean
    @ConditionalOnBooleanProperty(name = "gatehouse.server.passkeys.enabled", havingValue = false)
    Passkeys passkeys(JdbcTemplate jdbc, Clock clock) {
        JdbcPasskeyStore store = new JdbcPasskeyStore(jdbc, clock);
        return new Passkeys() {
            @Override
            public List<Passkey> list(String username) {
                return store.list(username);
            }

            @Override
            public boolean hasAny(String username) {
                return store.hasAny(username);
            }

            @Override
            public boolean remove(String username, String credentialId) {
                return store.remove(username, credentialId);
            }

            @Override
            public Removal removeUnlessLast(String username, String credentialId) {
                return store.removeUnlessLast(username, credentialId);
            }

            @Override
            public int removeAll(String username) {
                return store.removeAll(username);
            }
        };
    }

    /** "Don't ask again" answers to the passkey offer after a password sign-in, read whether or not it is on. */
    @Bean
    PasskeyOfferChoices passkeyOfferChoices(JdbcTemplate jdbc, Clock clock) {
        return new PasskeyOfferChoices(jdbc, clock);
    }

    @Bean
    @ConditionalOnPasskeysEnabled
    PasskeyRelyingParty passkeyRelyingParty(
            JdbcPasskeyStore store,
            PasskeyRelyingPartySettings settings,
            PasskeyProperties properties,
            Environment environment) {
        Set<UUID> aaguids = PasskeyRelyingPartySettings.aaguids(properties.allowedAaguids());
        return new PasskeyRelyingParty(store, store, settings, aaguids, () -> {
            // Without an issuer: the port the server listens on, known once it started (local.server.port).
            Integer port = environment.getProperty("local.server.port", Integer.class);
            return settings.originsOnPort(port == null ? 0 : port);
        });
    }

    @Bean
    @ConditionalOnPasskeysEnabled
    PublicKeyCredentialCreationOptionsRepository passkeyCreationOptionsRepository(Clock clock) {
        return new SessionCreationOptionsRepository(clock);
    }

    /** The sign-in's request options with their time (WebAuthn Level 3 §13.4.3), for the sign-in chain's wiring. */
    @Bean
    @ConditionalOnPasskeysEnabled
    TimedRequestOptionsRepository passkeyRequestOptionsRepository(Clock clock) {
        return new TimedRequestOptionsRepository(clock);
    }
}
