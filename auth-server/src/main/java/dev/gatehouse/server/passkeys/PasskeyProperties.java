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
 * @param allowedAaguids if not empty, only authenticators that name one of these AAGUIDs (UUID form) may register. This
 *     is a filter against honest authenticators, <b>not a security control</b>: registration asks for attestation
 *     {@code none}, so the AAGUID is the authenticator's own unverified claim (WebAuthn Level 3 §6.5.1: an AAGUID is
 *     trustworthy only through a verified attestation statement), any software authenticator can claim an allowed
 *     one, and browsers may replace it with zeros under {@code none} (§5.4.7), which this list then refuses. Verified
 *     attestation (requesting {@code direct} and checking the statement against trust anchors or the FIDO Metadata
 *     Service) is not built; default empty (every authenticator)
 * @param offerAfterSignIn whether a user without a passkey who just signed in with a password (and any second factor
 *     owed) is offered to add one, on an interstitial page before the authorization response ({@code
 *     /passkeys/offer}); default {@code false}: an extra page changes what clients, scripted sign-ins and existing
 *     browser tests see after the password, so an operator turns it on knowingly
 */
@ConfigurationProperties("gatehouse.server.passkeys")
public record PasskeyProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable String rpId,
        @Nullable String rpName,
        @DefaultValue List<String> allowedOrigins,
        @DefaultValue List<String> allowedAaguids,
        @DefaultValue("false") boolean offerAfterSignIn) {

    /** Checks the values that need no issuer; {@code PasskeysConfiguration} checks the rest at start-up. */
    public PasskeyProperties {
        allowedOrigins = List.copyOf(Objects.requireNonNull(allowedOrigins, "allowedOrigins must not be null"));
        allowedAaguids = List.copyOf(Objects.requireNonNull(allowedAaguids, "allowedAaguids must not be null"));
    }
}
