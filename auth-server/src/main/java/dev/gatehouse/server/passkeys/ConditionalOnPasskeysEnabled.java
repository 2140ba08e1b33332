package dev.gatehouse.server.passkeys;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;

/**
 * Matches when passkeys are enabled ({@code gatehouse.server.passkeys.enabled}, default {@code true}): the condition
 * under which {@link PasskeysConfiguration} defines Spring's WebAuthn beans, for wiring that needs them (e.g. {@code
 * http.webAuthn(...)}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ConditionalOnBooleanProperty(name = "gatehouse.server.passkeys.enabled", matchIfMissing = true)
public @interface ConditionalOnPasskeysEnabled {}
