/**
 * Implementation of {@code dev.gatehouse.core.mfa}: the only place that knows googleauth and ZXing. Not
 * API; free to change.
 */
@NullMarked
package dev.gatehouse.core.mfa.internal;

import org.jspecify.annotations.NullMarked;
