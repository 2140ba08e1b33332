package dev.gatehouse.server.clients;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.core.jwt.RemoteJwks;
import dev.gatehouse.core.jwt.TokenException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.ConfigurationSettingNames;

/**
 * A client's public keys, for {@code private_key_jwt} client authentication (RFC 7523 §2.2) and signed request
 * objects: a JWK Set by value (client setting {@value #JWKS_SETTING}, RFC 7591 §2 {@code jwks}) or by reference
 * (Spring Authorization Server's {@link ClientSettings#getJwkSetUrl()}, RFC 7591 §2 {@code jwks_uri}), never both
 * (RFC 7591 §2: "MUST NOT both be present"). The checks here are the ones every way of setting them (admin API,
 * dynamic registration) applies: a public JWK Set only (no private or symmetric key material), bounded in size and
 * number of keys; a {@code jwks_uri} that auth-core's {@link RemoteJwks} accepts (https, or http on a loopback host).
 */
public final class ClientKeys {

    /** The client setting holding the JSON text of the client's public JWK Set. */
    public static final String JWKS_SETTING = "settings.client.gatehouse.jwks";

    /** The largest JWK Set accepted by value, in bytes of JSON (a few RSA keys fit many times). */
    public static final int MAX_JWKS_BYTES = 16 * 1024;

    /** The most keys a JWK Set by value may hold. */
    public static final int MAX_KEYS = 10;

    /** The longest {@code jwks_uri} accepted. */
    public static final int MAX_URI_LENGTH = 2000;

    private ClientKeys() {}

    /**
     * The client's JWK Set by value, if it has one.
     *
     * @param client the client
     * @return the JSON text of its public JWK Set
     */
    public static Optional<String> jwks(RegisteredClient client) {
        return client.getClientSettings().getSetting(JWKS_SETTING) instanceof String json && !json.isBlank()
                ? Optional.of(json)
                : Optional.empty();
    }

    /**
     * The client's JWK Set by value as a JSON object (for views), if it has one.
     *
     * @param client the client
     * @return the JWK Set
     */
    public static Optional<Map<String, Object>> jwksObject(RegisteredClient client) {
        return jwks(client).flatMap(json -> {
            try {
                return Optional.of(JSONObjectUtils.parse(json));
            } catch (ParseException e) {
                // Stored by checkJwks, so always JSON; a damaged value shows as no keys (and authenticates nothing).
                return Optional.empty();
            }
        });
    }

    /**
     * The client's {@code jwks_uri}, if it has one.
     *
     * @param client the client
     * @return the URI
     */
    public static Optional<String> jwksUri(RegisteredClient client) {
        String uri = client.getClientSettings().getJwkSetUrl();
        return uri == null || uri.isBlank() ? Optional.empty() : Optional.of(uri);
    }

    /**
     * A JWK Set given by value, checked and written back as public JSON text to store in {@link #JWKS_SETTING}.
     *
     * @param jwks the JWK Set as a JSON object
     * @return the stored form, or why it is refused (the reason never echoes key material)
     */
    public static Checked checkJwks(Map<String, Object> jwks) {
        Objects.requireNonNull(jwks, "jwks must not be null");
        JWKSet set;
        try {
            set = JWKSet.parse(jwks);
        } catch (ParseException | RuntimeException e) {
            return new Checked.Refused("jwks is not a JWK Set (RFC 7517 §5)");
        }
        if (set.getKeys().isEmpty()) {
            return new Checked.Refused("jwks holds no key");
        }
        if (set.getKeys().size() > MAX_KEYS) {
            return new Checked.Refused("jwks holds more than " + MAX_KEYS + " keys");
        }
        for (JWK key : set.getKeys()) {
            // A symmetric key is secret material as a whole; private members (d, p, q, ...) of an asymmetric one.
            if (key.isPrivate() || key.toPublicJWK() == null) {
                return new Checked.Refused("jwks must hold public keys only (no private or symmetric keys)");
            }
        }
        String json = set.toString(true);
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_JWKS_BYTES) {
            return new Checked.Refused("jwks is larger than " + MAX_JWKS_BYTES + " bytes");
        }
        return new Checked.Accepted(json);
    }

    /**
     * A {@code jwks_uri} checked: an absolute URI without fragment or user info, that auth-core's remote JWKS fetches
     * (https, or http on a loopback host).
     *
     * @param uri the URI
     * @param httpsOnly whether http on a loopback host is refused too (dynamic registration)
     * @return the URI, or why it is refused
     */
    public static Checked checkJwksUri(String uri, boolean httpsOnly) {
        Objects.requireNonNull(uri, "uri must not be null");
        if (uri.length() > MAX_URI_LENGTH) {
            return new Checked.Refused("jwks_uri is longer than " + MAX_URI_LENGTH + " characters");
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            return new Checked.Refused("jwks_uri is not a URI");
        }
        if (!parsed.isAbsolute()
                || parsed.getHost() == null
                || parsed.getRawFragment() != null
                || parsed.getRawUserInfo() != null) {
            return new Checked.Refused("jwks_uri must be an absolute URI with a host, no fragment and no user info");
        }
        if (httpsOnly && !"https".equals(parsed.getScheme().toLowerCase(Locale.ROOT))) {
            return new Checked.Refused("jwks_uri must be https");
        }
        try {
            RemoteJwks.builder(parsed);
        } catch (TokenException e) {
            return new Checked.Refused("jwks_uri must be https (http only on a loopback host)");
        }
        return new Checked.Accepted(uri);
    }

    /**
     * Client settings with the keys replaced: exactly one of {@code jwks} (already {@link #checkJwks checked}) and
     * {@code jwksUri} (already {@link #checkJwksUri checked}), the other removed.
     *
     * @param settings the client's settings
     * @param jwks the stored form of a JWK Set by value, or null
     * @param jwksUri a {@code jwks_uri}, or null
     * @return the new settings
     */
    public static ClientSettings withKeys(ClientSettings settings, @Nullable String jwks, @Nullable String jwksUri) {
        if ((jwks == null) == (jwksUri == null)) {
            throw new IllegalArgumentException("exactly one of jwks and jwksUri must be given (RFC 7591 §2)");
        }
        ClientSettings.Builder b = ClientSettings.withSettings(settings.getSettings());
        b.settings(map -> {
            map.remove(JWKS_SETTING);
            map.remove(ConfigurationSettingNames.Client.JWK_SET_URL);
        });
        if (jwks != null) {
            b.setting(JWKS_SETTING, jwks);
        } else {
            b.jwkSetUrl(jwksUri);
        }
        return b.build();
    }

    /**
     * Client settings with no keys: neither a JWK Set by value nor a {@code jwks_uri}.
     *
     * @param settings the client's settings
     * @return the new settings
     */
    public static ClientSettings withoutKeys(ClientSettings settings) {
        ClientSettings.Builder b = ClientSettings.withSettings(settings.getSettings());
        b.settings(map -> {
            map.remove(JWKS_SETTING);
            map.remove(ConfigurationSettingNames.Client.JWK_SET_URL);
        });
        return b.build();
    }

    /** The outcome of a check. */
    public sealed interface Checked {

        /**
         * Accepted.
         *
         * @param value the value to store
         */
        record Accepted(String value) implements Checked {}

        /**
         * Refused.
         *
         * @param reason why, for an error description
         */
        record Refused(String reason) implements Checked {}
    }
}
