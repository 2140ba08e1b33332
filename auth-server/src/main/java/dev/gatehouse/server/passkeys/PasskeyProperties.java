package dev.gatehouse.server.passkeys;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The passkey relying party, under {@code gatehouse.server.passkeys.*} (environment {@code
 * GATEHOUSE_SERVER_PASSKEYS_*}). Checked at start-up against the issuer (an rpId that does not cover the issuer's
 * host stops the server with a message that says so).
 *
 * @param enabled whether passkeys are offered at all; default {@code true}
 * @param rpId the relying party id (WebAuthn Level 3 §5.1.2: a registrable domain suffix of, or equal to, the
 *     issuer's host); default the issuer's host
 * @param rpName the name authenticators show; default the product name ({@code gatehouse.server.ui.product-name})
 * @param allowedOrigins the origins ceremonies may run on, compared whole (scheme, host, port); default the issuer's
 *     origin
 * @param allowedAaguids if not empty, only authenticators of these AAGUIDs (UUID form) may register; with attestation
 *     {@code none} the AAGUID is the authenticator's own claim, not proved
 */
@ConfigurationProperties("gatehouse.server.passkeys")
public record PasskeyProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable String rpId,
        @Nullable String rpName,
        @DefaultValue List<String> allowedOrigins,
        @DefaultValue List<String> allowedAaguids) {

    /** Checks the values that need no issuer; {@code PasskeysConfiguration} checks the rest at start-up. */
    public PasskeyProperties {
        allowedOrigins = List.copyOf(Objects.requireNonNull(allowedOrigins, "allowedOrigins must not be null"));
        allowedAaguids = List.copyOf(Objects.requireNonNull(allowedAaguids, "allowedAaguids must not be null"));
    }
}
