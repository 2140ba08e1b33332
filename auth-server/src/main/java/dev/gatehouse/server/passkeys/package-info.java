/**
 * Gatehouse authorization server: passkeys (WebAuthn Level 3, issue #16) on Spring Security 7's own support
 * ({@code spring-security-webauthn} with webauthn4j). This package owns the passkey tables ({@code gh_passkey_user},
 * {@code gh_passkey}), the relying party's settings ({@link dev.gatehouse.server.passkeys.PasskeyProperties}) and the
 * ceremony checks Spring's relying party leaves to the application (user verification, the signature counter, the
 * authenticator allow-list). Other packages see the user's passkeys through {@link
 * dev.gatehouse.server.passkeys.Passkeys}; the sign-in wiring is in {@code config} and {@code signin}, the account
 * and admin pages in {@code account} and {@code admin}.
 */
@NullMarked
package dev.gatehouse.server.passkeys;

import org.jspecify.annotations.NullMarked;
