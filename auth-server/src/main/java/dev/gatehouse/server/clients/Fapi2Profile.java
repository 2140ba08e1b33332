package dev.gatehouse.server.clients;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The per-client FAPI 2.0 Security Profile switch (OpenID FAPI 2.0 Security Profile, Final, 22 February 2025), stored
 * in the client's settings as {@value #SETTING}. This class owns what a FAPI 2.0 client must look like when it is
 * saved ({@link #refusals}) and the 60-second cap on its authorization codes ({@link #capped}); the runtime checks
 * (PAR only, PKCE S256 in the pushed request, a DPoP proof at the token endpoint, {@code private_key_jwt}) read
 * {@link #enabled} in the server's configuration.
 */
public final class Fapi2Profile {

    /** The client setting: {@code true} puts the client under the FAPI 2.0 Security Profile. */
    public static final String SETTING = "settings.client.gatehouse.fapi2";

    /** FAPI 2.0 §5.3.2.1: "shall issue authorization codes with a maximum lifetime of 60 seconds". */
    public static final Duration MAX_AUTHORIZATION_CODE_LIFETIME = Duration.ofSeconds(60);

    /**
     * FAPI 2.0 §5.3.2.2 covers the authorization code flow (with refresh tokens); §5.3.2.1 Note 2 lets the general
     * requirements serve other grants, naming client credentials. The device code and token exchange grants are not
     * analysed by the profile and stay refused.
     */
    public static final Set<AuthorizationGrantType> GRANTS = Set.of(
            AuthorizationGrantType.AUTHORIZATION_CODE,
            AuthorizationGrantType.REFRESH_TOKEN,
            AuthorizationGrantType.CLIENT_CREDENTIALS);

    /** The dynamic registration's marker (the setting {@code dynamicclients.RegistrationPolicy} writes). */
    private static final String DYNAMICALLY_REGISTERED = "settings.client.gatehouse.dynamically-registered";

    private Fapi2Profile() {}

    /**
     * Whether the client is under the profile.
     *
     * @param client a registered client
     * @return {@code true} when its {@value #SETTING} setting is {@code true}
     */
    public static boolean enabled(RegisteredClient client) {
        return Boolean.TRUE.equals(client.getClientSettings().getSetting(SETTING));
    }

    /**
     * Why the client cannot be put under the profile, one sentence per reason; empty when it can.
     *
     * <ul>
     *   <li>§5.3.2.1: only confidential clients, authenticated with {@code private_key_jwt} (mTLS is not offered);
     *   <li>the grants of {@link #GRANTS} only;
     *   <li>§5.3.2.2: redirect URIs use https, except http on a loopback IP literal (RFC 8252 §7.3).
     * </ul>
     *
     * @param client the client as it would be saved
     * @return the reasons, empty when it meets the profile
     */
    public static List<String> refusals(RegisteredClient client) {
        List<String> reasons = new ArrayList<>();
        if (Boolean.TRUE.equals(client.getClientSettings().getSetting(DYNAMICALLY_REGISTERED))) {
            // RFC 7592 lets such a client replace its own metadata (redirect URIs included) outside these checks.
            reasons.add("a dynamically registered client cannot be a FAPI 2.0 client: it may change its own metadata"
                    + " (RFC 7592); register it through the admin API");
        }
        if (!client.getClientAuthenticationMethods().equals(Set.of(ClientAuthenticationMethod.PRIVATE_KEY_JWT))) {
            reasons.add("a FAPI 2.0 client must be confidential and authenticate with private_key_jwt only"
                    + " (FAPI 2.0 Security Profile §5.3.2.1)");
        }
        for (AuthorizationGrantType grant : client.getAuthorizationGrantTypes()) {
            if (!GRANTS.contains(grant)) {
                reasons.add("a FAPI 2.0 client may use authorization_code, refresh_token and client_credentials only,"
                        + " not '" + grant.getValue() + "'");
            }
        }
        for (String uri : client.getRedirectUris()) {
            if (!httpsOrLoopback(uri)) {
                reasons.add("a FAPI 2.0 client's redirect URIs must use https (http only on a loopback IP,"
                        + " RFC 8252 §7.3; FAPI 2.0 Security Profile §5.3.2.2)");
                break;
            }
        }
        return List.copyOf(reasons);
    }

    /**
     * The client with its authorization code lifetime at most {@link #MAX_AUTHORIZATION_CODE_LIFETIME} when it is
     * under the profile; otherwise the client unchanged.
     *
     * @param client a registered client
     * @return the client to save
     */
    public static RegisteredClient capped(RegisteredClient client) {
        TokenSettings tokens = client.getTokenSettings();
        if (!enabled(client)
                || tokens.getAuthorizationCodeTimeToLive().compareTo(MAX_AUTHORIZATION_CODE_LIFETIME) <= 0) {
            return client;
        }
        return RegisteredClient.from(client)
                .tokenSettings(TokenSettings.withSettings(tokens.getSettings())
                        .authorizationCodeTimeToLive(MAX_AUTHORIZATION_CODE_LIFETIME)
                        .build())
                .build();
    }

    private static boolean httpsOrLoopback(String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            return false;
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return true;
        }
        String host = u.getHost();
        return scheme.equals("http") && host != null && (host.equals("127.0.0.1") || host.equals("[::1]"));
    }
}
