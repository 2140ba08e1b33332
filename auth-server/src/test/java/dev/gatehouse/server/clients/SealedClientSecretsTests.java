package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/** How {@link SealedClientSecrets} keeps {@code client_secret_jwt} secrets: sealed, bound, and only for that method. */
class SealedClientSecretsTests {

    final ClientSecrets hashes = new ClientSecrets(new byte[32], new SecureRandom());
    final Envelope envelope = Envelope.of(MasterKey.ephemeralForDevelopment());
    final SealedClientSecrets sealed = new SealedClientSecrets(envelope, hashes, new SecureRandom());

    @Test
    void generateWhenCalledThenLongEnoughForHs512() {
        String secret = sealed.generate();
        assertThat(secret.getBytes(StandardCharsets.UTF_8)).hasSizeGreaterThanOrEqualTo(64);
        assertThat(secret).matches("[A-Za-z0-9_-]{86}").isNotEqualTo(sealed.generate());
    }

    @Test
    void applyWhenClientSecretJwtThenSealedNotPlainAndOpensToTheSecret() {
        String secret = sealed.generate();
        RegisteredClient client = sealed.apply(client(ClientAuthenticationMethod.CLIENT_SECRET_JWT, secret), secret);
        Object stored = client.getClientSettings().getSetting(SealedClientSecrets.SETTING);
        assertThat(stored).isInstanceOf(String.class);
        assertThat((String) stored).startsWith("ghe1.").doesNotContain(secret);
        assertThat(sealed.openString(client)).contains(secret);
        assertThat(sealed.open(client))
                .hasValueSatisfying(k -> assertThat(k).isEqualTo(secret.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void applyWhenNoNewSecretThenSealedCopyKeptAndWhenOtherMethodThenRemoved() {
        String secret = sealed.generate();
        RegisteredClient client = sealed.apply(client(ClientAuthenticationMethod.CLIENT_SECRET_JWT, secret), secret);
        assertThat(sealed.apply(client, null)).isSameAs(client);
        RegisteredClient basic = RegisteredClient.from(client)
                .clientAuthenticationMethods(m -> {
                    m.clear();
                    m.add(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
                })
                .build();
        RegisteredClient saved = sealed.apply(basic, null);
        assertThat((Object) saved.getClientSettings().getSetting(SealedClientSecrets.SETTING))
                .isNull();
        assertThat(sealed.openString(saved)).isEmpty();
        // A secret given for another method is never sealed.
        assertThat((Object) sealed.apply(client(ClientAuthenticationMethod.CLIENT_SECRET_BASIC, secret), secret)
                        .getClientSettings()
                        .getSetting(SealedClientSecrets.SETTING))
                .isNull();
    }

    @Test
    void openWhenHashNoLongerMatchesOrOtherClientIdOrTamperedThenEmpty() {
        String secret = sealed.generate();
        RegisteredClient client = sealed.apply(client(ClientAuthenticationMethod.CLIENT_SECRET_JWT, secret), secret);
        assertThat(sealed.open(RegisteredClient.from(client)
                        .clientSecret(hashes.encoder().encode(sealed.generate()))
                        .build()))
                .isEmpty();
        assertThat(sealed.open(RegisteredClient.from(client).clientId("other").build()))
                .isEmpty();
        String stored = client.getClientSettings().getSetting(SealedClientSecrets.SETTING);
        RegisteredClient tampered = RegisteredClient.from(client)
                .clientSettings(
                        org.springframework.security.oauth2.server.authorization.settings.ClientSettings.withSettings(
                                        client.getClientSettings().getSettings())
                                .setting(SealedClientSecrets.SETTING, stored.substring(0, stored.length() - 2) + "AA")
                                .build())
                .build();
        assertThat(sealed.open(tampered)).isEmpty();
    }

    private RegisteredClient client(ClientAuthenticationMethod method, String secret) {
        return RegisteredClient.withId("id1")
                .clientId("c1")
                .clientSecret(hashes.encoder().encode(secret))
                .clientAuthenticationMethod(method)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .build();
    }
}
