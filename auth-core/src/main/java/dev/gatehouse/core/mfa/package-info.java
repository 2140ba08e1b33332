/**
 * Multi-factor authentication: TOTP (RFC 6238 / RFC 4226) and recovery codes.
 *
 * <p>Entry points: {@link dev.gatehouse.core.mfa.TotpService} (enrol with otpauth URI and QR code, confirm by
 * a first code, verify with replay protection; secrets sealed by {@code dev.gatehouse.core.crypto.Envelope})
 * and {@link dev.gatehouse.core.mfa.RecoveryCodes} (single-use codes stored as keyed hashes). {@link
 * dev.gatehouse.core.mfa.Totp} computes codes without state. Storage is behind {@link
 * dev.gatehouse.core.mfa.TotpFactorStore} and {@link dev.gatehouse.core.mfa.RecoveryCodeStore}. Built on
 * googleauth and ZXing, which nothing outside this package sees. Throttle every check with {@code
 * dev.gatehouse.core.throttle.AttemptLimiter}.
 */
@NullMarked
package dev.gatehouse.core.mfa;

import org.jspecify.annotations.NullMarked;
