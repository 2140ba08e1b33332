/**
 * Secrets at rest: {@link dev.gatehouse.core.crypto.Envelope} seals private keys and TOTP secrets with
 * AES-256-GCM under an operator-supplied {@link dev.gatehouse.core.crypto.MasterKey}; {@link
 * dev.gatehouse.core.crypto.ConstantTime} compares secrets without timing leaks. Built on the JDK only.
 */
@NullMarked
package dev.gatehouse.core.crypto;

import org.jspecify.annotations.NullMarked;
