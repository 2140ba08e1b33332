/**
 * Password hashing and password policy.
 *
 * <p>Entry points: {@link dev.gatehouse.core.password.PasswordHasher} (hash, verify with rehash-on-login,
 * pepper, bounded concurrency, timing-safe unknown-user path), {@link
 * dev.gatehouse.core.password.PasswordPolicy} (NIST SP 800-63B checks) and {@link
 * dev.gatehouse.core.password.Argon2Calibrator}.
 */
@NullMarked
package dev.gatehouse.core.password;

import org.jspecify.annotations.NullMarked;
